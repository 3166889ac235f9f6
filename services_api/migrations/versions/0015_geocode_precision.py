"""how precisely each location's point is known: given by its partner, or geocoded to which level

A location placed from its address could land at a city, postcode district or sector centre and be
stored as if it were the place itself ("5 Lambeth Road, SE1 7PB" at the centre of London).
`location.geocode_precision` records where the point came from: `exact` (coordinates the partner
or the file gave), or the level the geocoder matched (`address`, `street`, `postcode`, `sector`,
`district`, `city`). Locations stored before this migration keep NULL: nobody knows.

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.add_column("location", sa.Column("geocode_precision", sa.String(16), nullable=True))


def downgrade() -> None:
    """Revert this migration."""
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would copy the table and lose its triggers.
    op.execute("ALTER TABLE location DROP COLUMN geocode_precision")
