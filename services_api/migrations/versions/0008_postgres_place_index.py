"""PostgreSQL place index: one row per place with all a search needs, kept by triggers

Searches on PostgreSQL joined every location inside the radius to its service-at-location and its
service (two index probes and heap reads a row), about 10 microseconds a place: a 50 km count
took 15-60 ms on 1,000,000 places. `place_index` holds, per service-at-location with a public
point, what SQLite's R*Tree holds (0004, 0006): its ids, public point (a generated geography with
a GiST index), the day its service was last confirmed when public (else -1) and a bit per
taxonomy term (`search_term_bit`, the same rule as on SQLite). A search reads this one table.

Inserts of places and attributes are handled per statement (COPY of a batch is one refresh);
updates that can change a row (a place moving, a service's visibility, a term) per row.
`location.public_geography` and its GiST index (0002), which searches no longer read, are dropped.
SQLite does not use any of this.

Revision ID: 0008
Revises: 0007
"""

import importlib
from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

spatial = importlib.import_module("services_api.migrations.versions.0002_spatial_search_and_gazetteer")

TERM_BITS = 63  # bits 0..62 of a signed 64-bit integer

SOURCE = """CREATE VIEW place_index_source AS
    SELECT sal.id, sal.service_id, sal.location_id,
           l.public_latitude AS latitude, l.public_longitude AS longitude,
           CASE WHEN s.vetting_status = 'vetted' AND s.withdrawn_at IS NULL AND s.status <> 'defunct'
                     AND s.last_verified_at IS NOT NULL
                THEN (s.last_verified_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01'
                ELSE -1 END AS listed_day,
           (SELECT COALESCE(bit_or(1::bigint << tb.bit), 0)
              FROM attribute AS a JOIN search_term_bit AS tb ON tb.term_id = a.taxonomy_term_id
             WHERE a.link_entity = 'service' AND a.link_id = s.id) AS terms
      FROM service_at_location AS sal
      JOIN location AS l ON l.id = sal.location_id
      JOIN service AS s ON s.id = sal.service_id
     WHERE l.public_latitude IS NOT NULL AND l.public_longitude IS NOT NULL"""

COLUMNS = "id, service_id, location_id, latitude, longitude, listed_day, terms"


def _refresh_function(key: str) -> str:
    """Return the function that rewrites the place rows whose `key` column is in the given ids.

    The insert updates a row that a concurrent transaction inserted first, so two writers
    refreshing the same place both succeed (the later one's values stand).
    """
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in COLUMNS.split(", ")[1:])
    return f"""CREATE FUNCTION place_index_refresh_{key}(ids uuid[]) RETURNS void
        LANGUAGE sql AS $$
          DELETE FROM place_index WHERE {key} = ANY(ids);
          INSERT INTO place_index ({COLUMNS})
               SELECT {COLUMNS} FROM place_index_source WHERE {key} = ANY(ids)
          ON CONFLICT (id) DO UPDATE SET {updates};
        $$"""


def _trigger_function(name: str, body: str) -> str:
    return f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN {body} RETURN NULL; END $$"""


FUNCTIONS = {
    "place_index_refresh_id": _refresh_function("id"),
    "place_index_refresh_service_id": _refresh_function("service_id"),
    "place_index_refresh_location_id": _refresh_function("location_id"),
    "place_index_places_added": _trigger_function(
        "place_index_places_added",
        "PERFORM place_index_refresh_id(ARRAY(SELECT id FROM added));",
    ),
    "place_index_place_changed": _trigger_function(
        "place_index_place_changed", "PERFORM place_index_refresh_id(ARRAY[OLD.id, NEW.id]);"
    ),
    "place_index_location_moved": _trigger_function(
        "place_index_location_moved", "PERFORM place_index_refresh_location_id(ARRAY[NEW.id]);"
    ),
    "place_index_service_changed": _trigger_function(
        "place_index_service_changed", "PERFORM place_index_refresh_service_id(ARRAY[NEW.id]);"
    ),
    "place_index_terms_added": _trigger_function(
        "place_index_terms_added",
        """PERFORM place_index_refresh_service_id(
             ARRAY(SELECT DISTINCT link_id FROM added WHERE link_entity = 'service'));""",
    ),
    "place_index_terms_removed": _trigger_function(
        "place_index_terms_removed",
        """PERFORM place_index_refresh_service_id(
             ARRAY(SELECT DISTINCT link_id FROM removed WHERE link_entity = 'service'));""",
    ),
    "place_index_terms_changed": _trigger_function(
        "place_index_terms_changed",
        "PERFORM place_index_refresh_service_id(ARRAY[OLD.link_id, NEW.link_id]);",
    ),
    "search_term_bit_added": _trigger_function(
        "search_term_bit_added",
        f"""IF (SELECT COALESCE(MAX(bit), -1) FROM search_term_bit) < {TERM_BITS - 1} THEN
              -- A term deleted and added again keeps its bit; a term whose bit a concurrent insert
              -- took gets none, and filters on it read services instead.
              INSERT INTO search_term_bit (term_id, bit)
                   VALUES (NEW.id, (SELECT COALESCE(MAX(bit), -1) + 1 FROM search_term_bit))
              ON CONFLICT DO NOTHING;
            END IF;""",
    ),
}

TRIGGERS = {
    "place_index_sal_insert": """AFTER INSERT ON service_at_location REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION place_index_places_added()""",
    "place_index_sal_update": """AFTER UPDATE OF location_id, service_id ON service_at_location
        FOR EACH ROW EXECUTE FUNCTION place_index_place_changed()""",
    "place_index_location_update": """AFTER UPDATE OF public_latitude, public_longitude ON location
        FOR EACH ROW WHEN (OLD.public_latitude IS DISTINCT FROM NEW.public_latitude
                           OR OLD.public_longitude IS DISTINCT FROM NEW.public_longitude)
        EXECUTE FUNCTION place_index_location_moved()""",
    "place_index_service_update": """AFTER UPDATE OF vetting_status, withdrawn_at, status, last_verified_at
        ON service FOR EACH ROW EXECUTE FUNCTION place_index_service_changed()""",
    "place_index_attribute_insert": """AFTER INSERT ON attribute REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION place_index_terms_added()""",
    "place_index_attribute_delete": """AFTER DELETE ON attribute REFERENCING OLD TABLE AS removed
        FOR EACH STATEMENT EXECUTE FUNCTION place_index_terms_removed()""",
    "place_index_attribute_update": """AFTER UPDATE OF link_id, link_entity, taxonomy_term_id ON attribute
        FOR EACH ROW EXECUTE FUNCTION place_index_terms_changed()""",
    "search_term_bit_insert": """AFTER INSERT ON taxonomy_term
        FOR EACH ROW EXECUTE FUNCTION search_term_bit_added()""",
}
TRIGGER_TABLES = {
    "place_index_sal_insert": "service_at_location",
    "place_index_sal_update": "service_at_location",
    "place_index_location_update": "location",
    "place_index_service_update": "service",
    "place_index_attribute_insert": "attribute",
    "place_index_attribute_delete": "attribute",
    "place_index_attribute_update": "attribute",
    "search_term_bit_insert": "taxonomy_term",
}


def upgrade() -> None:
    """Apply this migration."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE TABLE search_term_bit (term_id uuid PRIMARY KEY, bit integer NOT NULL UNIQUE)")
    op.execute(
        f"""INSERT INTO search_term_bit (term_id, bit)
            SELECT id, ROW_NUMBER() OVER (ORDER BY taxonomy, code, id) - 1 FROM taxonomy_term
             ORDER BY taxonomy, code, id LIMIT {TERM_BITS}"""
    )
    op.execute(
        """CREATE TABLE place_index (
             id uuid PRIMARY KEY REFERENCES service_at_location (id) ON DELETE CASCADE,
             service_id uuid NOT NULL,
             location_id uuid NOT NULL,
             latitude double precision NOT NULL,
             longitude double precision NOT NULL,
             geog geography(Point, 4326) GENERATED ALWAYS AS (
               ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography) STORED,
             listed_day integer NOT NULL,
             terms bigint NOT NULL)"""
    )
    op.execute(SOURCE)
    op.execute(f"INSERT INTO place_index ({COLUMNS}) SELECT {COLUMNS} FROM place_index_source")
    op.execute("CREATE INDEX ix_place_index_geography ON place_index USING GIST (geog)")
    op.execute("CREATE INDEX ix_place_index_service_id ON place_index (service_id)")
    op.execute("CREATE INDEX ix_place_index_location_id ON place_index (location_id)")
    op.execute("CREATE INDEX ix_place_index_latitude ON place_index (latitude)")
    for body in FUNCTIONS.values():
        op.execute(body)
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute("DROP INDEX ix_location_public_geography")
    op.execute("ALTER TABLE location DROP COLUMN public_geography")


def downgrade() -> None:
    """Revert this migration."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table in TRIGGER_TABLES.items():
        op.execute(f"DROP TRIGGER {name} ON {table}")
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION {name}")
    op.execute("DROP VIEW place_index_source")
    op.execute("DROP TABLE place_index")
    op.execute("DROP TABLE search_term_bit")
    for statement in spatial.POSTGIS_INDEX:
        op.execute(statement)
