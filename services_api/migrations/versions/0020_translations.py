"""translations of listings' text, and the language each record's own text is in

`translation` holds partners' translations: one row per record, field and BCP 47 language tag
(canonical form), for the free-text fields a person reads (models/translation.py lists them).
Records are named by kind and id, not by foreign keys: the same table serves six kinds of record.
`text_language` records a service's, organisation's or location's own language where it is not
the directory's DEFAULT_LANGUAGE (nested records share their parent's).

Keyword search needs no index of its own: a service's `search_text` (migration 0013) takes the
translated names and descriptions too, on the next write of the service or its translations.
Both tables move the directory version on (migration 0019), as every published table does: a
translation edited changes the public answers' ETags.

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("translation", "text_language")
OPERATIONS = ("insert", "update", "delete")
BUMP = "UPDATE directory_version SET version = version + 1 WHERE id = 1"
TRANSLATED_KINDS = (
    "record_kind IN ('service', 'organization', 'location', 'schedule', 'phone', 'service_area')"
)


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "translation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("record_kind", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(TRANSLATED_KINDS, name=op.f("ck_translation_record_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_translation")),
        sa.UniqueConstraint("record_id", "language", "field", "record_kind", name="uq_translation_text"),
    )
    op.create_index("ix_translation_language", "translation", ["language"])
    op.create_table(
        "text_language",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("record_kind", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.CheckConstraint(
            "record_kind IN ('service', 'organization', 'location')",
            name=op.f("ck_text_language_record_kind"),
        ),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_text_language")),
    )
    for table in TABLES:
        if op.get_bind().dialect.name == "sqlite":
            for operation in OPERATIONS:
                op.execute(
                    f"CREATE TRIGGER directory_version_{table}_{operation} AFTER {operation.upper()} "
                    f"ON {table} BEGIN {BUMP}; END"
                )
        else:  # the function of migration 0019: once per transaction, at its commit
            op.execute(
                f"CREATE CONSTRAINT TRIGGER directory_version_{table} AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION directory_version_bump()"
            )


def downgrade() -> None:
    """Revert this migration: translations are dropped (search text keeps their words until rewritten)."""
    # Dropping a table drops its triggers too.
    op.drop_table("text_language")
    op.drop_index("ix_translation_language", table_name="translation")
    op.drop_table("translation")
