"""gazetteer places and postcodes say what they are and where

Places gain their kind (city, town, village, neighbourhood, borough), the city they are part of,
their district and region; postcodes their kind (postcode, sector, district) and the same area
names, so a place search can say which place it used. `seed` reloads the gazetteer when its files
change, which fills these columns.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AREA_COLUMNS = (("part_of", 200), ("district", 200), ("region", 200))


def upgrade() -> None:
    """Apply this migration."""
    for table in ("place", "postcode"):
        op.add_column(table, sa.Column("kind", sa.String(24), nullable=True))
        for name, length in AREA_COLUMNS:
            op.add_column(table, sa.Column(name, sa.String(length), nullable=True))


def downgrade() -> None:
    """Revert this migration."""
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would copy and drop `place`, and dropping it
    # deletes every place name it holds one by one.
    for table in ("place", "postcode"):
        for name, _length in reversed(AREA_COLUMNS):
            op.drop_column(table, name)
        op.drop_column(table, "kind")
