"""place keys by area, category and attribute bits in the place index

On SQLite, a search reads the R*Tree's auxiliary columns of every place it looks at; they live in
a table keyed by `service_at_location.spatial_key`. Keys handed out in insertion order scattered
neighbours over the whole file, so a search touched one page per place. Keys now start with the
0.1-degree grid cell of the place's public point (cell * 2^32, then a count within the cell), so
the places of one area sit together. A place keeps its key when its location moves (it only loses
some locality).

The R*Tree also gets `terms`: a bit for each taxonomy term the service carries (through
`attribute`), so a category or attribute filter tests a bit mask instead of reading the service
and its attributes for every place. `search_term_bit` gives the first 63 terms a bit each (a new
term takes the next free one); filters on terms without a bit still join services. Triggers on
`attribute` keep the masks in step. PostgreSQL does not use any of this.

Existing keys are reassigned and the R*Tree is rebuilt in key order.

Revision ID: 0006
Revises: 0005
"""

import importlib
from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

before = importlib.import_module("services_api.migrations.versions.0004_place_search_index")

CELL_KEY = 1 << 32  # places per cell, at most
NO_POINT_CELL = 7_000_000  # beyond every cell: places without a public point (not in the R*Tree)
TERM_BITS = 63  # bits 0..62 of a signed 64-bit integer


def area_base(location: str) -> str:
    """Return the SQL of the first key of a location's cell: 1 + its 0.1-degree cell, times 2^32."""
    cell = (
        f"1 + CAST(({location}.public_latitude + 90) * 10 AS INTEGER) * 3601"
        f" + CAST(({location}.public_longitude + 180) * 10 AS INTEGER)"
    )
    return f"COALESCE({cell}, {NO_POINT_CELL}) * {CELL_KEY}"


# SUM of distinct powers of two is their bitwise OR.
TERMS_OF_SERVICE = """(SELECT COALESCE(SUM(DISTINCT 1 << tb.bit), 0)
                        FROM attribute AS a INDEXED BY ix_attribute_link_id_taxonomy_term_id
                        CROSS JOIN search_term_bit AS tb
                       WHERE a.link_id = s.id AND a.link_entity = 'service'
                         AND tb.term_id = a.taxonomy_term_id)"""


def place_source(where: str, driving_index: str | None, listed_day: str = before.LISTED_DAY) -> str:
    """Return the SELECT of R*Tree rows for the service-at-locations matching `where` (see 0004).

    `listed_day` is the SQL of the day coordinate (0007 scales it).
    """
    indexed = f" INDEXED BY {driving_index}" if driving_index else ""
    return f"""SELECT sal.spatial_key,
                      l.public_latitude, l.public_latitude, l.public_longitude, l.public_longitude,
                      {listed_day}, {listed_day},
                      sal.id, sal.service_id, sal.location_id, l.public_latitude, l.public_longitude,
                      l.public_x, l.public_y, l.public_z, {TERMS_OF_SERVICE}
               FROM service_at_location AS sal{indexed}
               CROSS JOIN location AS l INDEXED BY sqlite_autoindex_location_1
               CROSS JOIN service AS s INDEXED BY sqlite_autoindex_service_1
               WHERE {where} AND l.id = sal.location_id AND s.id = sal.service_id
                 AND sal.spatial_key IS NOT NULL AND l.public_latitude IS NOT NULL"""


def refresh_service(service_id: str, listed_day: str = before.LISTED_DAY) -> str:
    """Return the statements that rewrite the R*Tree rows of one service's places."""
    source = place_source(f"sal.service_id = {service_id}", before.BY_SERVICE, listed_day)
    return f"""DELETE FROM place_rtree WHERE id IN (
                 SELECT spatial_key FROM service_at_location INDEXED BY {before.BY_SERVICE}
                  WHERE service_id = {service_id});
               INSERT INTO place_rtree {source};"""


def triggers(listed_day: str = before.LISTED_DAY) -> dict[str, str]:
    """Return the triggers that keep the R*Tree in step, by name (0007 scales the day coordinate)."""
    by_id = place_source("sal.id = NEW.id", before.BY_ID, listed_day)
    by_location = place_source("sal.location_id = NEW.id", before.BY_LOCATION, listed_day)

    def refresh(service_id: str) -> str:
        return refresh_service(service_id, listed_day)

    return {
        "place_rtree_sal_insert": f"""AFTER INSERT ON service_at_location BEGIN
             UPDATE service_at_location SET spatial_key = (
               SELECT COALESCE(
                 (SELECT MAX(spatial_key) + 1
                    FROM service_at_location INDEXED BY ix_service_at_location_spatial_key
                   WHERE spatial_key >= cell.base AND spatial_key < cell.base + {CELL_KEY}),
                 cell.base)
               FROM (SELECT {area_base("l")} AS base FROM location AS l INDEXED BY sqlite_autoindex_location_1
                      WHERE l.id = NEW.location_id) AS cell)
              WHERE rowid = NEW.rowid;
             INSERT INTO place_rtree {by_id};
           END""",
        "place_rtree_sal_update": f"""AFTER UPDATE OF location_id, service_id ON service_at_location BEGIN
             DELETE FROM place_rtree WHERE id = OLD.spatial_key;
             INSERT INTO place_rtree {by_id};
           END""",
        "place_rtree_sal_delete": """AFTER DELETE ON service_at_location BEGIN
             DELETE FROM place_rtree WHERE id = OLD.spatial_key;
           END""",
        "place_rtree_location_update": f"""AFTER UPDATE OF
             public_latitude, public_longitude, public_x, public_y, public_z ON location BEGIN
             DELETE FROM place_rtree WHERE id IN (
               SELECT spatial_key FROM service_at_location INDEXED BY {before.BY_LOCATION}
                WHERE location_id = NEW.id);
             INSERT INTO place_rtree {by_location};
           END""",
        "place_rtree_service_update": f"""AFTER UPDATE OF
             vetting_status, withdrawn_at, status, last_verified_at ON service
             BEGIN {refresh("NEW.id")} END""",
        "place_rtree_attribute_insert": f"""AFTER INSERT ON attribute WHEN NEW.link_entity = 'service'
             BEGIN {refresh("NEW.link_id")} END""",
        "place_rtree_attribute_delete": f"""AFTER DELETE ON attribute WHEN OLD.link_entity = 'service'
             BEGIN {refresh("OLD.link_id")} END""",
        "place_rtree_attribute_update": f"""AFTER UPDATE OF
             link_id, link_entity, taxonomy_term_id ON attribute
             BEGIN {refresh("OLD.link_id")} {refresh("NEW.link_id")} END""",
        "search_term_bit_insert": f"""AFTER INSERT ON taxonomy_term
             WHEN (SELECT COALESCE(MAX(bit), -1) FROM search_term_bit) < {TERM_BITS - 1} BEGIN
             -- a term deleted and added again keeps its bit
             INSERT OR IGNORE INTO search_term_bit (term_id, bit)
             VALUES (NEW.id, (SELECT COALESCE(MAX(bit), -1) + 1 FROM search_term_bit));
           END""",
    }


TRIGGERS = triggers()
TRIGGERS_OF_0004 = (
    "place_rtree_sal_insert",
    "place_rtree_sal_update",
    "place_rtree_sal_delete",
    "place_rtree_location_update",
    "place_rtree_service_update",
)

NEW_KEYS = f"""INSERT INTO temp.place_new_key (sal_rowid, key)
     SELECT sal.rowid,
            {area_base("l")} - 1 + ROW_NUMBER() OVER (PARTITION BY {area_base("l")} ORDER BY sal.rowid)
       FROM service_at_location AS sal JOIN location AS l ON l.id = sal.location_id"""


def upgrade() -> None:
    """Apply this migration."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS_OF_0004:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE place_rtree")
    op.execute("CREATE TABLE search_term_bit (term_id CHAR(32) PRIMARY KEY, bit INTEGER NOT NULL UNIQUE)")
    op.execute(
        f"""INSERT INTO search_term_bit (term_id, bit)
            SELECT id, ROW_NUMBER() OVER (ORDER BY taxonomy, code, id) - 1 FROM taxonomy_term
             ORDER BY taxonomy, code, id LIMIT {TERM_BITS}"""
    )
    op.execute("CREATE TEMP TABLE place_new_key (sal_rowid INTEGER PRIMARY KEY, key INTEGER NOT NULL)")
    op.execute(NEW_KEYS)
    op.execute("UPDATE service_at_location SET spatial_key = -rowid")  # no clash while keys change
    op.execute(
        """UPDATE service_at_location
              SET spatial_key = (
                SELECT key FROM temp.place_new_key WHERE sal_rowid = service_at_location.rowid)"""
    )
    op.execute("DROP TABLE temp.place_new_key")
    op.execute(
        """CREATE VIRTUAL TABLE place_rtree USING rtree(
             id, min_latitude, max_latitude, min_longitude, max_longitude, min_day, max_day,
             +sal_id, +service_id, +location_id, +latitude, +longitude, +x, +y, +z, +terms)"""
    )
    op.execute(f"INSERT INTO place_rtree {place_source('1 = 1', None)} ORDER BY sal.spatial_key")
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    """Revert this migration: 0004's index and triggers (keys stay: unique, new ones follow the largest)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE place_rtree")
    op.execute("DROP TABLE search_term_bit")
    for statement in before.SQLITE_UP:
        op.execute(statement)
