"""place index: a place's term bits include its location's attributes

HSDS attributes link a taxonomy term to a service or to a location (`link_entity`); the API shows
both, but the category and attribute filters read only the service's, so an access & safety term
attached to a place (wheelchair accessible, walk-in) found nothing. A place's `terms` (the bit per
taxonomy term that the filters test, 0006 on SQLite and 0008 on PostgreSQL) is now the OR of its
service's attributes and its location's, and triggers on `attribute` refresh the places of a
location whose attributes change as they did the places of a service. Existing rows are rewritten.

Revision ID: 0012
Revises: 0011
"""

import importlib
from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

rtree = importlib.import_module("services_api.migrations.versions.0004_place_search_index")
keys = importlib.import_module("services_api.migrations.versions.0006_place_keys_by_area")
days = importlib.import_module("services_api.migrations.versions.0007_place_index_day_scale")
postgres = importlib.import_module("services_api.migrations.versions.0008_postgres_place_index")

# SQLite: SUM of distinct powers of two is their bitwise OR; `|` joins the service's and the location's.
TERMS_OF_PLACE = f"""({keys.TERMS_OF_SERVICE}
     | (SELECT COALESCE(SUM(DISTINCT 1 << tb.bit), 0)
          FROM attribute AS a INDEXED BY ix_attribute_link_id_taxonomy_term_id
          CROSS JOIN search_term_bit AS tb
         WHERE a.link_id = l.id AND a.link_entity = 'location'
           AND tb.term_id = a.taxonomy_term_id))"""


def _of_places(sql: str) -> str:
    return sql.replace(keys.TERMS_OF_SERVICE, TERMS_OF_PLACE)


def refresh_location(location_id: str) -> str:
    """Return the statements that rewrite the R*Tree rows of one location's places."""
    source = keys.place_source(f"sal.location_id = {location_id}", rtree.BY_LOCATION, days.SCALED_LISTED_DAY)
    return f"""DELETE FROM place_rtree WHERE id IN (
                 SELECT spatial_key FROM service_at_location INDEXED BY {rtree.BY_LOCATION}
                  WHERE location_id = {location_id});
               INSERT INTO place_rtree {_of_places(source)};"""


def sqlite_triggers() -> dict[str, str]:
    """Return 0007's triggers with the place's terms, and those that follow a location's attributes."""
    triggers = {name: _of_places(body) for name, body in keys.triggers(days.SCALED_LISTED_DAY).items()}
    refresh_service = keys.refresh_service
    triggers["place_rtree_attribute_update"] = f"""AFTER UPDATE OF
         link_id, link_entity, taxonomy_term_id ON attribute
         BEGIN {_of_places(refresh_service("OLD.link_id", days.SCALED_LISTED_DAY))}
               {_of_places(refresh_service("NEW.link_id", days.SCALED_LISTED_DAY))}
               {refresh_location("OLD.link_id")} {refresh_location("NEW.link_id")} END"""
    triggers["place_rtree_location_attribute_insert"] = f"""AFTER INSERT ON attribute
         WHEN NEW.link_entity = 'location' BEGIN {refresh_location("NEW.link_id")} END"""
    triggers["place_rtree_location_attribute_delete"] = f"""AFTER DELETE ON attribute
         WHEN OLD.link_entity = 'location' BEGIN {refresh_location("OLD.link_id")} END"""
    return triggers


NEW_SQLITE_TRIGGERS = ("place_rtree_location_attribute_insert", "place_rtree_location_attribute_delete")

# PostgreSQL: the place index's source view and the attribute triggers' functions, with locations.
SOURCE = postgres.SOURCE.replace("CREATE VIEW", "CREATE OR REPLACE VIEW").replace(
    "WHERE a.link_entity = 'service' AND a.link_id = s.id",
    """WHERE (a.link_entity = 'service' AND a.link_id = s.id)
                OR (a.link_entity = 'location' AND a.link_id = l.id)""",
)
FUNCTIONS = {
    "place_index_terms_added": postgres._trigger_function(
        "place_index_terms_added",
        """PERFORM place_index_refresh_service_id(
             ARRAY(SELECT DISTINCT link_id FROM added WHERE link_entity = 'service'));
           PERFORM place_index_refresh_location_id(
             ARRAY(SELECT DISTINCT link_id FROM added WHERE link_entity = 'location'));""",
    ),
    "place_index_terms_removed": postgres._trigger_function(
        "place_index_terms_removed",
        """PERFORM place_index_refresh_service_id(
             ARRAY(SELECT DISTINCT link_id FROM removed WHERE link_entity = 'service'));
           PERFORM place_index_refresh_location_id(
             ARRAY(SELECT DISTINCT link_id FROM removed WHERE link_entity = 'location'));""",
    ),
    "place_index_terms_changed": postgres._trigger_function(
        "place_index_terms_changed",
        """PERFORM place_index_refresh_service_id(ARRAY[OLD.link_id, NEW.link_id]);
           PERFORM place_index_refresh_location_id(ARRAY[OLD.link_id, NEW.link_id]);""",
    ),
}
REWRITE_TERMS = """UPDATE place_index SET terms = source.terms FROM place_index_source AS source
                    WHERE source.id = place_index.id AND source.terms <> place_index.terms"""


def _replace(function: str) -> str:
    return function.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def _rebuild_sqlite(triggers: dict[str, str], terms: str, drop: Sequence[str]) -> None:
    for name in drop:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE place_rtree")
    op.execute(days.PLACE_RTREE)
    source = keys.place_source("1 = 1", None, days.SCALED_LISTED_DAY).replace(keys.TERMS_OF_SERVICE, terms)
    op.execute(f"INSERT INTO place_rtree {source} ORDER BY sal.spatial_key")
    for name, body in triggers.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def upgrade() -> None:
    """Apply this migration."""
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(sqlite_triggers(), TERMS_OF_PLACE, drop=tuple(keys.TRIGGERS))
        return
    op.execute(SOURCE)
    for body in FUNCTIONS.values():
        op.execute(_replace(body))
    op.execute(REWRITE_TERMS)


def downgrade() -> None:
    """Revert this migration: a place's terms are its service's again."""
    if op.get_bind().dialect.name == "sqlite":
        triggers = keys.triggers(days.SCALED_LISTED_DAY)
        _rebuild_sqlite(triggers, keys.TERMS_OF_SERVICE, drop=(*keys.TRIGGERS, *NEW_SQLITE_TRIGGERS))
        return
    op.execute(postgres.SOURCE.replace("CREATE VIEW", "CREATE OR REPLACE VIEW"))
    for name in FUNCTIONS:
        op.execute(_replace(postgres.FUNCTIONS[name]))
    op.execute(REWRITE_TERMS)
