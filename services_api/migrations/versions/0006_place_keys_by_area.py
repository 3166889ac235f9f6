"""place keys by area

On SQLite, a search reads the R*Tree's auxiliary columns (ids, unit vector) of every place it
looks at; they live in a table keyed by `service_at_location.spatial_key`. Keys handed out in
insertion order scattered neighbours over the whole file, so a search touched one page per place.
Keys now start with the 0.1-degree grid cell of the place's public point (cell * 2^32, then a
count within the cell), so the places of one area sit together and a search reads a few pages.
Existing keys are reassigned and the R*Tree is rebuilt in key order. A place keeps its key when
its location moves (it only loses some locality). PostgreSQL does not use the key.

Revision ID: 0006
Revises: 0004
"""

import importlib
from collections.abc import Sequence

from alembic import op

place_index = importlib.import_module("services_api.migrations.versions.0004_place_search_index")

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


CELL_KEY = 1 << 32  # places per cell, at most
NO_POINT_CELL = 7_000_000  # beyond every cell: places without a public point (not in the R*Tree)


def area_base(location: str) -> str:
    """Return the SQL of the first key of a location's cell: 1 + its 0.1-degree cell, times 2^32."""
    cell = (
        f"1 + CAST(({location}.public_latitude + 90) * 10 AS INTEGER) * 3601"
        f" + CAST(({location}.public_longitude + 180) * 10 AS INTEGER)"
    )
    return f"COALESCE({cell}, {NO_POINT_CELL}) * {CELL_KEY}"


INSERT_TRIGGER_BY_AREA = f"""CREATE TRIGGER place_rtree_sal_insert AFTER INSERT ON service_at_location BEGIN
     UPDATE service_at_location SET spatial_key = (
       SELECT COALESCE(
         (SELECT MAX(spatial_key) + 1 FROM service_at_location INDEXED BY ix_service_at_location_spatial_key
           WHERE spatial_key >= cell.base AND spatial_key < cell.base + {CELL_KEY}),
         cell.base)
       FROM (SELECT {area_base("l")} AS base FROM location AS l INDEXED BY sqlite_autoindex_location_1
              WHERE l.id = NEW.location_id) AS cell)
      WHERE rowid = NEW.rowid;
     INSERT INTO place_rtree {place_index.place_source("sal.id = NEW.id", place_index.BY_ID)};
   END"""

NEW_KEYS = f"""INSERT INTO temp.place_new_key (sal_rowid, key)
     SELECT sal.rowid,
            {area_base("l")} - 1 + ROW_NUMBER() OVER (PARTITION BY {area_base("l")} ORDER BY sal.rowid) AS key
       FROM service_at_location AS sal JOIN location AS l ON l.id = sal.location_id"""

APPLY_NEW_KEYS = """UPDATE service_at_location
     SET spatial_key = (SELECT key FROM temp.place_new_key WHERE sal_rowid = service_at_location.rowid)"""


def upgrade() -> None:
    """Apply this migration."""
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER place_rtree_sal_insert")
    op.execute(INSERT_TRIGGER_BY_AREA)
    op.execute("CREATE TEMP TABLE place_new_key (sal_rowid INTEGER PRIMARY KEY, key INTEGER NOT NULL)")
    op.execute(NEW_KEYS)
    op.execute("UPDATE service_at_location SET spatial_key = -rowid")  # no clash while keys change
    op.execute(APPLY_NEW_KEYS)
    op.execute("DROP TABLE temp.place_new_key")
    op.execute("DELETE FROM place_rtree")
    op.execute(f"INSERT INTO place_rtree {place_index.place_source('1 = 1', None)} ORDER BY sal.spatial_key")


def downgrade() -> None:
    """Revert this migration (keys stay as they are: unique, and new ones follow the largest)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER place_rtree_sal_insert")
    op.execute(place_index.SQLITE_UP[1])
