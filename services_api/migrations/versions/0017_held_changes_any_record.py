"""held changes name the record they change: a service, a location or a service-at-location

Until now only a service's safety claims could be held for the operator, so a proposed change
named its service. A location's claims (women-only, no police sharing) are reviewed too now: a
change names its record by `entity_type` and `entity_id`; `service_id` stays set for changes to
a service (and empty for the others). Existing changes are all changes to services.

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENTITY_TYPES = "entity_type IN ('service', 'location', 'service_at_location')"


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("proposed_change") as batch:
        batch.add_column(
            sa.Column("entity_type", sa.String(length=32), nullable=False, server_default="service")
        )
        batch.add_column(sa.Column("entity_id", sa.Uuid(), nullable=True))
        batch.alter_column("service_id", existing_type=sa.Uuid(), nullable=True)
    op.execute("UPDATE proposed_change SET entity_id = service_id")
    with op.batch_alter_table("proposed_change") as batch:
        batch.alter_column("entity_id", existing_type=sa.Uuid(), nullable=False)
        batch.create_check_constraint("entity_type", ENTITY_TYPES)
    op.create_index(op.f("ix_proposed_change_entity_id"), "proposed_change", ["entity_id"])


def downgrade() -> None:
    """Revert this migration: changes to anything but a service are dropped."""
    op.drop_index(op.f("ix_proposed_change_entity_id"), table_name="proposed_change")
    op.execute("DELETE FROM proposed_change WHERE service_id IS NULL")
    with op.batch_alter_table("proposed_change") as batch:
        batch.drop_constraint(op.f("ck_proposed_change_entity_type"), type_="check")
        batch.drop_column("entity_id")
        batch.drop_column("entity_type")
        batch.alter_column("service_id", existing_type=sa.Uuid(), nullable=False)
