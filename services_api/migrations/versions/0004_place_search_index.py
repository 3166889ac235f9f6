"""place search index

On SQLite, one R*Tree entry per service-at-location, with everything a search needs to find,
order and count public places without reading other tables. Its dimensions are the public point
and the day the service was last verified (days since 1970, -1 when the service is not listed), so
the visibility test runs inside the R*Tree; auxiliary columns carry ids, the exact point and its
unit vector. Triggers keep it in step with service_at_location, location and service. It replaces
the per-location R*Tree of 0002. On PostgreSQL only the (unused) key column is added.

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

# The listing rule mirrors PublicView.service_filter (services_api/core/visibility.py); the
# freshness part is compared at query time against `verified`.
SQLITE_UP = (
    "DROP TRIGGER IF EXISTS location_rtree_insert",
    "DROP TRIGGER IF EXISTS location_rtree_update",
    "DROP TRIGGER IF EXISTS location_rtree_delete",
    "DROP TABLE IF EXISTS location_rtree",
    """CREATE VIRTUAL TABLE place_rtree USING rtree(
         id, min_latitude, max_latitude, min_longitude, max_longitude, min_day, max_day,
         +sal_id, +service_id, +location_id, +latitude, +longitude, +x, +y, +z)""",
    """CREATE VIEW place_rtree_source AS
       SELECT sal.spatial_key AS id,
              l.public_latitude AS min_latitude, l.public_latitude AS max_latitude,
              l.public_longitude AS min_longitude, l.public_longitude AS max_longitude,
              listed.day AS min_day, listed.day AS max_day,
              sal.id AS sal_id, sal.service_id AS service_id, sal.location_id AS location_id,
              l.public_latitude AS latitude, l.public_longitude AS longitude,
              l.public_x AS x, l.public_y AS y, l.public_z AS z
       FROM service_at_location AS sal
       JOIN (SELECT id,
                    CASE WHEN vetting_status = 'vetted' AND withdrawn_at IS NULL AND status <> 'defunct'
                              AND last_verified_at IS NOT NULL
                         THEN CAST(julianday(last_verified_at) - 2440587.5 AS INTEGER) ELSE -1 END AS day
             FROM service) AS listed ON listed.id = sal.service_id
       JOIN location AS l ON l.id = sal.location_id
       WHERE sal.spatial_key IS NOT NULL AND l.public_latitude IS NOT NULL""",
    """CREATE TRIGGER place_rtree_sal_insert AFTER INSERT ON service_at_location BEGIN
         UPDATE service_at_location
            SET spatial_key = (SELECT COALESCE(MAX(spatial_key), 0) + 1 FROM service_at_location)
          WHERE rowid = NEW.rowid;
         INSERT INTO place_rtree SELECT * FROM place_rtree_source WHERE sal_id = NEW.id;
       END""",
    """CREATE TRIGGER place_rtree_sal_update AFTER UPDATE OF location_id, service_id ON service_at_location
       BEGIN
         DELETE FROM place_rtree WHERE id = OLD.spatial_key;
         INSERT INTO place_rtree SELECT * FROM place_rtree_source WHERE sal_id = NEW.id;
       END""",
    """CREATE TRIGGER place_rtree_sal_delete AFTER DELETE ON service_at_location BEGIN
         DELETE FROM place_rtree WHERE id = OLD.spatial_key;
       END""",
    """CREATE TRIGGER place_rtree_location_update
       AFTER UPDATE OF public_latitude, public_longitude, public_x, public_y, public_z ON location BEGIN
         DELETE FROM place_rtree
          WHERE id IN (SELECT spatial_key FROM service_at_location WHERE location_id = NEW.id);
         INSERT INTO place_rtree SELECT * FROM place_rtree_source WHERE location_id = NEW.id;
       END""",
    """CREATE TRIGGER place_rtree_service_update
       AFTER UPDATE OF vetting_status, withdrawn_at, status, last_verified_at ON service BEGIN
         DELETE FROM place_rtree
          WHERE id IN (SELECT spatial_key FROM service_at_location WHERE service_id = NEW.id);
         INSERT INTO place_rtree SELECT * FROM place_rtree_source WHERE service_id = NEW.id;
       END""",
    "UPDATE service_at_location SET spatial_key = rowid WHERE spatial_key IS NULL",
    "INSERT INTO place_rtree SELECT * FROM place_rtree_source",
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
    """Revert this migration (the per-location R*Tree of 0002 is not rebuilt)."""
    if op.get_bind().dialect.name == "sqlite":
        for name in (
            "place_rtree_sal_insert",
            "place_rtree_sal_update",
            "place_rtree_sal_delete",
            "place_rtree_location_update",
            "place_rtree_service_update",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP VIEW IF EXISTS place_rtree_source")
        op.execute("DROP TABLE IF EXISTS place_rtree")
    with op.batch_alter_table("service_at_location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_at_location_spatial_key"))
        batch_op.drop_column("spatial_key")
