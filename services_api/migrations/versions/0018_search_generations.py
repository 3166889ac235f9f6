"""search generations: a counter per kind of searched data, moved on by every write

A keyword search's exact total and first ranked ids, and a place name's gazetteer candidates,
cost time that grows with the directory (every match is counted and ranked). Each process keeps
them (services_api/core/search/generations.py) only while the data they came from is unchanged:
the table `search_generation` holds one counter per kind of data, `listings` (services and their
service-at-locations: names, texts, visibility, places) and `gazetteer` (places, their names,
postcodes), and a trigger on each of those tables adds one on every insert, update and delete.
Reading a counter is one primary-key lookup.

On SQLite the triggers run per row (SQLite has no statement triggers; it updates the counter in
place); on PostgreSQL per statement, and the counter moves once per transaction, which is enough:
the commit shows the new counter and the new data together.

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WATCHED = {
    "service": "listings",
    "service_at_location": "listings",
    "place": "gazetteer",
    "place_name": "gazetteer",
    "postcode": "gazetteer",
}
EVENTS = ("insert", "update", "delete")
CREATE_TABLE = """CREATE TABLE search_generation (
    name VARCHAR(32) NOT NULL PRIMARY KEY,
    generation BIGINT NOT NULL DEFAULT 0
)"""
# Once per transaction and kind: updating one row again and again in one transaction leaves a
# chain of its versions that each update walks (a gazetteer load's 500,000 single-row INSERTs
# took over 30 minutes). The transaction-local setting remembers the bump until the commit.
POSTGRES_FUNCTION = """CREATE FUNCTION search_generation_bump() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        flag text := 'search_generation.moved_' || TG_ARGV[0];
    BEGIN
        IF coalesce(current_setting(flag, true), '') <> 'yes' THEN
            UPDATE search_generation SET generation = generation + 1 WHERE name = TG_ARGV[0];
            PERFORM set_config(flag, 'yes', true);
        END IF;
        RETURN NULL;
    END $$"""


def _trigger(table: str, event: str) -> str:
    return f"search_generation_{table}_{event}"


def upgrade() -> None:
    """Apply this migration."""
    op.execute(CREATE_TABLE)
    op.execute("INSERT INTO search_generation (name, generation) VALUES ('listings', 0), ('gazetteer', 0)")
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(POSTGRES_FUNCTION)
    for table, kind in WATCHED.items():
        for event in EVENTS:
            if postgres:
                op.execute(
                    f"CREATE TRIGGER {_trigger(table, event)} AFTER {event.upper()} ON {table} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION search_generation_bump('{kind}')"
                )
            else:
                op.execute(
                    f"CREATE TRIGGER {_trigger(table, event)} AFTER {event.upper()} ON {table} BEGIN "
                    f"UPDATE search_generation SET generation = generation + 1 WHERE name = '{kind}'; END"
                )


def downgrade() -> None:
    """Revert this migration."""
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in WATCHED:
        for event in EVENTS:
            op.execute(
                f"DROP TRIGGER IF EXISTS {_trigger(table, event)}" + (f" ON {table}" if postgres else "")
            )
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS search_generation_bump()")
    op.execute("DROP TABLE IF EXISTS search_generation")
