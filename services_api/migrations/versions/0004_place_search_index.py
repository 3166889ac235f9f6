"""place search index

On SQLite, one R*Tree entry per service-at-location, with everything a search needs to find,
order and count public places without reading other tables. Its dimensions are the public point
and the day the service was last verified (days since 1970, -1 when the service is not listed), so
the visibility test runs inside the R*Tree; auxiliary columns carry ids, the exact point and its
unit vector. Triggers keep it in step with service_at_location, location and service. On
PostgreSQL (PostGIS, see 0002) only the key column is added, unused.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The listing rule mirrors PublicView.service_filter (services_api/core/directory/visibility.py); the
# freshness part is compared at query time against the day dimension.
LISTED_DAY = """CASE WHEN s.vetting_status = 'vetted' AND s.withdrawn_at IS NULL AND s.status <> 'defunct'
                     AND s.last_verified_at IS NOT NULL
                THEN CAST(julianday(s.last_verified_at) - 2440587.5 AS INTEGER) ELSE -1 END"""


def place_source(where: str, driving_index: str | None) -> str:
    """Return the SELECT of R*Tree rows for the service-at-locations matching `where`.

    CROSS JOIN and INDEXED BY fix the plan: each trigger reaches its rows through an index even
    when the planner's statistics were gathered on near-empty tables (which would make it scan).
    """
    indexed = f" INDEXED BY {driving_index}" if driving_index else ""
    return f"""SELECT sal.spatial_key,
                      l.public_latitude, l.public_latitude, l.public_longitude, l.public_longitude,
                      {LISTED_DAY}, {LISTED_DAY},
                      sal.id, sal.service_id, sal.location_id, l.public_latitude, l.public_longitude,
                      l.public_x, l.public_y, l.public_z
               FROM service_at_location AS sal{indexed}
               CROSS JOIN location AS l INDEXED BY sqlite_autoindex_location_1
               CROSS JOIN service AS s INDEXED BY sqlite_autoindex_service_1
               WHERE {where} AND l.id = sal.location_id AND s.id = sal.service_id
                 AND sal.spatial_key IS NOT NULL AND l.public_latitude IS NOT NULL"""


BY_ID = "sqlite_autoindex_service_at_location_1"
BY_LOCATION = "ix_service_at_location_location_id"
BY_SERVICE = "ix_service_at_location_service_id"

SQLITE_UP = (
    """CREATE VIRTUAL TABLE place_rtree USING rtree(
         id, min_latitude, max_latitude, min_longitude, max_longitude, min_day, max_day,
         +sal_id, +service_id, +location_id, +latitude, +longitude, +x, +y, +z)""",
    f"""CREATE TRIGGER place_rtree_sal_insert AFTER INSERT ON service_at_location BEGIN
         UPDATE service_at_location
            SET spatial_key = (SELECT COALESCE(MAX(spatial_key), 0) + 1 FROM service_at_location)
          WHERE rowid = NEW.rowid;
         INSERT INTO place_rtree {place_source("sal.id = NEW.id", BY_ID)};
       END""",
    f"""CREATE TRIGGER place_rtree_sal_update AFTER UPDATE OF location_id, service_id ON service_at_location
       BEGIN
         DELETE FROM place_rtree WHERE id = OLD.spatial_key;
         INSERT INTO place_rtree {place_source("sal.id = NEW.id", BY_ID)};
       END""",
    """CREATE TRIGGER place_rtree_sal_delete AFTER DELETE ON service_at_location BEGIN
         DELETE FROM place_rtree WHERE id = OLD.spatial_key;
       END""",
    f"""CREATE TRIGGER place_rtree_location_update
       AFTER UPDATE OF public_latitude, public_longitude, public_x, public_y, public_z ON location BEGIN
         DELETE FROM place_rtree WHERE id IN (
           SELECT spatial_key FROM service_at_location INDEXED BY {BY_LOCATION} WHERE location_id = NEW.id);
         INSERT INTO place_rtree {place_source("sal.location_id = NEW.id", BY_LOCATION)};
       END""",
    f"""CREATE TRIGGER place_rtree_service_update
       AFTER UPDATE OF vetting_status, withdrawn_at, status, last_verified_at ON service BEGIN
         DELETE FROM place_rtree WHERE id IN (
           SELECT spatial_key FROM service_at_location INDEXED BY {BY_SERVICE} WHERE service_id = NEW.id);
         INSERT INTO place_rtree {place_source("sal.service_id = NEW.id", BY_SERVICE)};
       END""",
    "UPDATE service_at_location SET spatial_key = rowid WHERE spatial_key IS NULL",
    f"INSERT INTO place_rtree {place_source('1 = 1', None)}",
)


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("service_at_location", schema=None) as batch_op:
        batch_op.add_column(sa.Column("spatial_key", sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f("ix_service_at_location_spatial_key"), ["spatial_key"], unique=True)
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    """Revert this migration."""
    if op.get_bind().dialect.name == "sqlite":
        for name in (
            "place_rtree_sal_insert",
            "place_rtree_sal_update",
            "place_rtree_sal_delete",
            "place_rtree_location_update",
            "place_rtree_service_update",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS place_rtree")
        # Dropped in place (SQLite 3.35+): copying the table, as batch mode would, breaks the
        # foreign keys of its phones, schedules and contacts.
        op.drop_index("ix_service_at_location_spatial_key", table_name="service_at_location")
        op.execute("ALTER TABLE service_at_location DROP COLUMN spatial_key")
        return
    with op.batch_alter_table("service_at_location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_at_location_spatial_key"))
        batch_op.drop_column("spatial_key")
