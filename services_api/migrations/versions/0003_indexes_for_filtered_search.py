"""indexes for filtered search

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("attribute", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attribute_link_id"))
        batch_op.create_index(
            "ix_attribute_link_id_taxonomy_term_id", ["link_id", "taxonomy_term_id"], unique=False
        )

    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_vetting_status"))


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_vetting_status"), ["vetting_status"], unique=False)

    with op.batch_alter_table("attribute", schema=None) as batch_op:
        batch_op.drop_index("ix_attribute_link_id_taxonomy_term_id")
        batch_op.create_index(batch_op.f("ix_attribute_link_id"), ["link_id"], unique=False)
