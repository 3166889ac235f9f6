"""spatial search and gazetteer

Adds the gazetteer tables, the public point's unit vector and R*Tree key on locations, service-area
bounds, and the spatial index: an R*Tree kept in step by triggers on SQLite, a generated
geography column with a GiST index on PostgreSQL (PostGIS). A later SQLite migration that has to
rebuild the location table (batch "move and copy") must create the three triggers again.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "place",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("admin1_code", sa.String(length=20), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("population", sa.BigInteger(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place")),
    )
    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_latitude"), ["latitude"], unique=False)

    op.create_table(
        "postcode",
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("place_name", sa.String(length=200), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("country_code", "code", name=op.f("pk_postcode")),
    )
    with op.batch_alter_table("postcode", schema=None) as batch_op:
        batch_op.create_index("ix_postcode_code", ["code"], unique=False)

    op.create_table(
        "place_name",
        sa.Column("folded_name", sa.String(length=200), nullable=False),
        sa.Column("place_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["place.id"],
            name=op.f("fk_place_name_place_id_place"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("folded_name", "place_id", name=op.f("pk_place_name")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_x", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("public_y", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("public_z", sa.Float(), nullable=True))

    with op.batch_alter_table("service_area", schema=None) as batch_op:
        batch_op.add_column(sa.Column("min_latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("max_latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("min_longitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("max_longitude", sa.Float(), nullable=True))

    _backfill_derived_columns()
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGIS_INDEX:
            op.execute(statement)


POSTGIS_INDEX = (
    "CREATE EXTENSION IF NOT EXISTS postgis",
    """ALTER TABLE location ADD COLUMN public_geography geography(Point, 4326) GENERATED ALWAYS AS (
         CASE WHEN public_latitude IS NOT NULL AND public_longitude IS NOT NULL
              THEN ST_SetSRID(ST_MakePoint(public_longitude, public_latitude), 4326)::geography END
       ) STORED""",
    "CREATE INDEX ix_location_public_geography ON location USING GIST (public_geography)",
)


def _backfill_derived_columns() -> None:
    """Fill the new derived columns of rows written before this migration."""
    from services_api.geo.areas import parse_extent
    from services_api.geo.public_point import public_point_columns

    bind = op.get_bind()
    location = sa.table(
        "location",
        *(
            sa.column(name)
            for name in (
                "id",
                "latitude",
                "longitude",
                "confidential",
                "public_latitude",
                "public_longitude",
                "public_x",
                "public_y",
                "public_z",
            )
        ),
    )
    for row in bind.execute(
        sa.select(location.c.id, location.c.latitude, location.c.longitude, location.c.confidential)
    ).all():
        values = public_point_columns(row.latitude, row.longitude, bool(row.confidential))
        bind.execute(location.update().where(location.c.id == row.id).values(**values))
    service_area = sa.table(
        "service_area",
        *(
            sa.column(name)
            for name in (
                "id",
                "extent",
                "extent_type",
                "min_latitude",
                "max_latitude",
                "min_longitude",
                "max_longitude",
            )
        ),
    )
    areas = bind.execute(sa.select(service_area.c.id, service_area.c.extent, service_area.c.extent_type))
    for area_row in areas.all():
        area = parse_extent(area_row.extent, area_row.extent_type)
        if area is None:
            continue
        boxes = area.boxes()
        bind.execute(
            service_area.update()
            .where(service_area.c.id == area_row.id)
            .values(
                min_latitude=min(box.min_latitude for box in boxes),
                max_latitude=max(box.max_latitude for box in boxes),
                min_longitude=min(box.min_longitude for box in boxes),
                max_longitude=max(box.max_longitude for box in boxes),
            )
        )


def downgrade() -> None:
    """Revert this migration."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_location_public_geography")
        op.execute("ALTER TABLE location DROP COLUMN IF EXISTS public_geography")
    with op.batch_alter_table("service_area", schema=None) as batch_op:
        batch_op.drop_column("max_longitude")
        batch_op.drop_column("min_longitude")
        batch_op.drop_column("max_latitude")
        batch_op.drop_column("min_latitude")

    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.drop_column("public_z")
        batch_op.drop_column("public_y")
        batch_op.drop_column("public_x")

    op.drop_table("place_name")
    with op.batch_alter_table("postcode", schema=None) as batch_op:
        batch_op.drop_index("ix_postcode_code")

    op.drop_table("postcode")
    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_latitude"))

    op.drop_table("place")
