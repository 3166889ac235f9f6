"""an index holding every column of the public-visibility rule of services

Counting the public services (HSDS `total_items` of /services and /service_at_locations without a
place) read every service row: 250 ms for /services on 200,000 listings on SQLite. An index on
(last_verified_at, vetting_status, status, withdrawn_at, id) answers that count alone (12 ms there)
and joins public services to their places without reading them (/service_at_locations' count:
490 ms to 170 ms). It replaces the index on last_verified_at, which it begins with.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_index(
        "ix_service_visibility",
        "service",
        ["last_verified_at", "vetting_status", "status", "withdrawn_at", "id"],
    )
    op.drop_index("ix_service_last_verified_at", table_name="service")


def downgrade() -> None:
    """Revert this migration."""
    op.create_index("ix_service_last_verified_at", "service", ["last_verified_at"])
    op.drop_index("ix_service_visibility", table_name="service")
