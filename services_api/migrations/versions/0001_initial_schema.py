"""initial schema

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "organization",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("alternate_name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("website", sa.String(length=2048), nullable=True),
        sa.Column("tax_status", sa.String(length=255), nullable=True),
        sa.Column("tax_id", sa.String(length=255), nullable=True),
        sa.Column("year_incorporated", sa.Integer(), nullable=True),
        sa.Column("legal_status", sa.String(length=255), nullable=True),
        sa.Column("logo", sa.String(length=2048), nullable=True),
        sa.Column("uri", sa.String(length=2048), nullable=True),
        sa.Column("parent_organization_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_organization_id"],
            ["organization.id"],
            name=op.f("fk_organization_parent_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
    )
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organization_name"), ["name"], unique=False)

    op.create_table(
        "taxonomy",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("uri", sa.String(length=2048), nullable=True),
        sa.Column("version", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxonomy")),
    )
    op.create_table(
        "location",
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("location_type", sa.String(length=16), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("alternate_name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("transportation", sa.Text(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("public_latitude", sa.Float(), nullable=True),
        sa.Column("public_longitude", sa.Float(), nullable=True),
        sa.Column("external_identifier", sa.String(length=255), nullable=True),
        sa.Column("external_identifier_type", sa.String(length=255), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_location_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location")),
    )
    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_location_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_location_public_latitude"), ["public_latitude"], unique=False)

    op.create_table(
        "service",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("alternate_name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("interpretation_services", sa.Text(), nullable=True),
        sa.Column("application_process", sa.Text(), nullable=True),
        sa.Column("fees_description", sa.Text(), nullable=True),
        sa.Column("wait_time", sa.Text(), nullable=True),
        sa.Column("fees", sa.Text(), nullable=True),
        sa.Column("accreditations", sa.Text(), nullable=True),
        sa.Column("eligibility_description", sa.Text(), nullable=True),
        sa.Column("minimum_age", sa.Float(), nullable=True),
        sa.Column("maximum_age", sa.Float(), nullable=True),
        sa.Column("assured_date", sa.Date(), nullable=True),
        sa.Column("assurer_email", sa.String(length=320), nullable=True),
        sa.Column("licenses", sa.Text(), nullable=True),
        sa.Column("alert", sa.Text(), nullable=True),
        sa.Column("vetting_status", sa.String(length=16), nullable=False),
        sa.Column("vetted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("vetted_by", sa.String(length=255), nullable=True),
        sa.Column("vetting_criteria", sa.JSON(), nullable=True),
        sa.Column("vetting_notes", sa.Text(), nullable=True),
        sa.Column("next_review_due", sa.Date(), nullable=True),
        sa.Column("last_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'inactive', 'defunct', 'temporarily closed')",
            name=op.f("ck_service_status"),
        ),
        sa.CheckConstraint(
            "vetting_status IN ('pending', 'vetted', 'suspended', 'rejected')",
            name=op.f("ck_service_vetting_status"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_service_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
    )
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_last_verified_at"),
            ["last_verified_at"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_service_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_vetting_status"), ["vetting_status"], unique=False)

    op.create_table(
        "taxonomy_term",
        sa.Column("code", sa.String(length=128), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("taxonomy", sa.String(length=255), nullable=True),
        sa.Column("taxonomy_id", sa.Uuid(), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("term_uri", sa.String(length=2048), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["taxonomy_term.id"],
            name=op.f("fk_taxonomy_term_parent_id_taxonomy_term"),
        ),
        sa.ForeignKeyConstraint(
            ["taxonomy_id"],
            ["taxonomy.id"],
            name=op.f("fk_taxonomy_term_taxonomy_id_taxonomy"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxonomy_term")),
        sa.UniqueConstraint("taxonomy_id", "code", name=op.f("uq_taxonomy_term_taxonomy_id")),
    )
    with op.batch_alter_table("taxonomy_term", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taxonomy_term_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_taxonomy_term_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_taxonomy_term_taxonomy_id"), ["taxonomy_id"], unique=False)

    op.create_table(
        "accessibility",
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_accessibility_location_id_location"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accessibility")),
    )
    with op.batch_alter_table("accessibility", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accessibility_location_id"), ["location_id"], unique=False)

    op.create_table(
        "address",
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("attention", sa.String(length=255), nullable=True),
        sa.Column("address_1", sa.String(length=255), nullable=False),
        sa.Column("address_2", sa.String(length=255), nullable=True),
        sa.Column("city", sa.String(length=255), nullable=False),
        sa.Column("region", sa.String(length=255), nullable=True),
        sa.Column("state_province", sa.String(length=255), nullable=False),
        sa.Column("postal_code", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("address_type", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_address_location_id_location"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_address")),
    )
    with op.batch_alter_table("address", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_address_location_id"), ["location_id"], unique=False)

    op.create_table(
        "attribute",
        sa.Column("link_id", sa.Uuid(), nullable=False),
        sa.Column("link_type", sa.String(length=255), nullable=True),
        sa.Column("link_entity", sa.String(length=64), nullable=False),
        sa.Column("taxonomy_term_id", sa.Uuid(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["taxonomy_term_id"],
            ["taxonomy_term.id"],
            name=op.f("fk_attribute_taxonomy_term_id_taxonomy_term"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attribute")),
    )
    with op.batch_alter_table("attribute", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attribute_link_id"), ["link_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_attribute_taxonomy_term_id"),
            ["taxonomy_term_id"],
            unique=False,
        )

    op.create_table(
        "cost_option",
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("option", sa.Text(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("amount", sa.Float(), nullable=True),
        sa.Column("amount_description", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_cost_option_service_id_service"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_option")),
    )
    with op.batch_alter_table("cost_option", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cost_option_service_id"), ["service_id"], unique=False)

    op.create_table(
        "service_area",
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("extent", sa.Text(), nullable=True),
        sa.Column("extent_type", sa.String(length=32), nullable=True),
        sa.Column("uri", sa.String(length=2048), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_service_area_service_id_service"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_area")),
    )
    with op.batch_alter_table("service_area", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_area_service_id"), ["service_id"], unique=False)

    op.create_table(
        "service_at_location",
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_service_at_location_location_id_location"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_service_at_location_service_id_service"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_at_location")),
    )
    with op.batch_alter_table("service_at_location", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_at_location_location_id"),
            ["location_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_service_at_location_service_id"),
            ["service_id"],
            unique=False,
        )

    op.create_table(
        "contact",
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("service_at_location_id", sa.Uuid(), nullable=True),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("department", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_contact_location_id_location"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_contact_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["service_at_location_id"],
            ["service_at_location.id"],
            name=op.f("fk_contact_service_at_location_id_service_at_location"),
        ),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], name=op.f("fk_contact_service_id_service")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_location_id"), ["location_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_contact_service_at_location_id"),
            ["service_at_location_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_contact_service_id"), ["service_id"], unique=False)

    op.create_table(
        "schedule",
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("service_at_location_id", sa.Uuid(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("dtstart", sa.Date(), nullable=True),
        sa.Column("timezone", sa.Float(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("wkst", sa.String(length=2), nullable=True),
        sa.Column("freq", sa.String(length=16), nullable=True),
        sa.Column("interval", sa.Integer(), nullable=True),
        sa.Column("byday", sa.String(length=64), nullable=True),
        sa.Column("byweekno", sa.String(length=255), nullable=True),
        sa.Column("bymonthday", sa.String(length=255), nullable=True),
        sa.Column("byyearday", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("opens_at", sa.Time(), nullable=True),
        sa.Column("closes_at", sa.Time(), nullable=True),
        sa.Column("schedule_link", sa.String(length=2048), nullable=True),
        sa.Column("attending_type", sa.String(length=255), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_schedule_location_id_location"),
        ),
        sa.ForeignKeyConstraint(
            ["service_at_location_id"],
            ["service_at_location.id"],
            name=op.f("fk_schedule_service_at_location_id_service_at_location"),
        ),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], name=op.f("fk_schedule_service_id_service")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule")),
    )
    with op.batch_alter_table("schedule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_location_id"), ["location_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_schedule_service_at_location_id"),
            ["service_at_location_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_schedule_service_id"), ["service_id"], unique=False)

    op.create_table(
        "phone",
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("service_at_location_id", sa.Uuid(), nullable=True),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("extension", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], name=op.f("fk_phone_contact_id_contact")),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], name=op.f("fk_phone_location_id_location")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_phone_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["service_at_location_id"],
            ["service_at_location.id"],
            name=op.f("fk_phone_service_at_location_id_service_at_location"),
        ),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], name=op.f("fk_phone_service_id_service")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone")),
    )
    with op.batch_alter_table("phone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_phone_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_phone_location_id"), ["location_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_phone_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_phone_service_at_location_id"),
            ["service_at_location_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_phone_service_id"), ["service_id"], unique=False)

    op.create_table(
        "language",
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("phone_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("code", sa.String(length=35), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_language_location_id_location"),
        ),
        sa.ForeignKeyConstraint(["phone_id"], ["phone.id"], name=op.f("fk_language_phone_id_phone")),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], name=op.f("fk_language_service_id_service")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_language")),
    )
    with op.batch_alter_table("language", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_language_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_language_location_id"), ["location_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_language_phone_id"), ["phone_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_language_service_id"), ["service_id"], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("language", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_language_service_id"))
        batch_op.drop_index(batch_op.f("ix_language_phone_id"))
        batch_op.drop_index(batch_op.f("ix_language_location_id"))
        batch_op.drop_index(batch_op.f("ix_language_code"))

    op.drop_table("language")
    with op.batch_alter_table("phone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phone_service_id"))
        batch_op.drop_index(batch_op.f("ix_phone_service_at_location_id"))
        batch_op.drop_index(batch_op.f("ix_phone_organization_id"))
        batch_op.drop_index(batch_op.f("ix_phone_location_id"))
        batch_op.drop_index(batch_op.f("ix_phone_contact_id"))

    op.drop_table("phone")
    with op.batch_alter_table("schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_service_id"))
        batch_op.drop_index(batch_op.f("ix_schedule_service_at_location_id"))
        batch_op.drop_index(batch_op.f("ix_schedule_location_id"))

    op.drop_table("schedule")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_service_id"))
        batch_op.drop_index(batch_op.f("ix_contact_service_at_location_id"))
        batch_op.drop_index(batch_op.f("ix_contact_organization_id"))
        batch_op.drop_index(batch_op.f("ix_contact_location_id"))

    op.drop_table("contact")
    with op.batch_alter_table("service_at_location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_at_location_service_id"))
        batch_op.drop_index(batch_op.f("ix_service_at_location_location_id"))

    op.drop_table("service_at_location")
    with op.batch_alter_table("service_area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_area_service_id"))

    op.drop_table("service_area")
    with op.batch_alter_table("cost_option", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cost_option_service_id"))

    op.drop_table("cost_option")
    with op.batch_alter_table("attribute", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attribute_taxonomy_term_id"))
        batch_op.drop_index(batch_op.f("ix_attribute_link_id"))

    op.drop_table("attribute")
    with op.batch_alter_table("address", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_address_location_id"))

    op.drop_table("address")
    with op.batch_alter_table("accessibility", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accessibility_location_id"))

    op.drop_table("accessibility")
    with op.batch_alter_table("taxonomy_term", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxonomy_term_taxonomy_id"))
        batch_op.drop_index(batch_op.f("ix_taxonomy_term_parent_id"))
        batch_op.drop_index(batch_op.f("ix_taxonomy_term_code"))

    op.drop_table("taxonomy_term")
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_vetting_status"))
        batch_op.drop_index(batch_op.f("ix_service_organization_id"))
        batch_op.drop_index(batch_op.f("ix_service_name"))
        batch_op.drop_index(batch_op.f("ix_service_last_verified_at"))

    op.drop_table("service")
    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_location_public_latitude"))
        batch_op.drop_index(batch_op.f("ix_location_organization_id"))

    op.drop_table("location")
    op.drop_table("taxonomy")
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organization_name"))

    op.drop_table("organization")
