"""keyword search index

Keyword search ranked by relevance, from a full-text index on each database, both built from the
same text: the service's name and alternate name (weighed most) and its folded `search_text`
(name, description, organisation and category names, kept by the write path). Neither index
stems: words are matched by prefix and the query adds a light stem of each word (see
services_api/core/search/keywords.py), the same on both databases.

On SQLite, an external-content FTS5 table `service_fts` over `service` (unicode61 tokenizer,
diacritics removed, so case and accents never matter). Its rowid is the new column
`service.search_key`, set by a trigger on insert (a service's implicit rowid is not stable: VACUUM
may renumber it). Triggers on insert, on update of the indexed columns and on delete keep it in step
with every write, the bulk writer's executemany INSERTs included. The model does not map the key.

On PostgreSQL, a generated column `service.search_vector` (weight A: the name and alternate name,
accents removed by `unaccent`; weight D: `search_text`, already folded) with a GIN index; being
generated, it follows every INSERT, UPDATE and COPY by itself.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = "name, alternate_name, search_text"
VISIBILITY = "vetting_status, withdrawn_at, status, last_verified_at"  # PublicView.service_filter
SQLITE_UP = (
    "ALTER TABLE service ADD COLUMN search_key INTEGER",
    "UPDATE service SET search_key = rowid",
    "CREATE UNIQUE INDEX ix_service_search_key ON service (search_key)",
    # Covers the visibility test and the name order of every match, so ranking and counting the
    # matches never read service rows (measured: 2.5x faster at 100,000 listings).
    f"CREATE INDEX ix_service_search_key_listing ON service (search_key, {VISIBILITY}, name, id)",
    f"""CREATE VIRTUAL TABLE service_fts USING fts5(
         {COLUMNS}, content='service', content_rowid='search_key',
         tokenize='unicode61 remove_diacritics 2', prefix='2 3')""",
    """CREATE TRIGGER service_fts_insert AFTER INSERT ON service BEGIN
         UPDATE service
            SET search_key = (SELECT COALESCE(MAX(search_key), 0) + 1
                                FROM service INDEXED BY ix_service_search_key)
          WHERE rowid = NEW.rowid;
         INSERT INTO service_fts (rowid, name, alternate_name, search_text)
         SELECT search_key, name, alternate_name, search_text FROM service WHERE rowid = NEW.rowid;
       END""",
    """CREATE TRIGGER service_fts_update AFTER UPDATE OF name, alternate_name, search_text ON service
       BEGIN
         INSERT INTO service_fts (service_fts, rowid, name, alternate_name, search_text)
         VALUES ('delete', OLD.search_key, OLD.name, OLD.alternate_name, OLD.search_text);
         INSERT INTO service_fts (rowid, name, alternate_name, search_text)
         VALUES (NEW.search_key, NEW.name, NEW.alternate_name, NEW.search_text);
       END""",
    """CREATE TRIGGER service_fts_delete AFTER DELETE ON service BEGIN
         INSERT INTO service_fts (service_fts, rowid, name, alternate_name, search_text)
         VALUES ('delete', OLD.search_key, OLD.name, OLD.alternate_name, OLD.search_text);
       END""",
    "INSERT INTO service_fts (service_fts) VALUES ('rebuild')",
)
# unaccent() is only STABLE (its dictionary could change); a generated column needs IMMUTABLE, so
# the dictionary is named explicitly in a wrapper, the usual way to index unaccented text.
POSTGRES_UP = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """CREATE FUNCTION search_unaccent(text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$""",
    """ALTER TABLE service ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
         setweight(to_tsvector('simple'::regconfig,
                               search_unaccent(coalesce(name, '') || ' ' || coalesce(alternate_name, ''))),
                   'A')
         || setweight(to_tsvector('simple'::regconfig, coalesce(search_text, '')), 'D')
       ) STORED""",
    "CREATE INDEX ix_service_search_vector ON service USING gin (search_vector)",
)


def upgrade() -> None:
    """Apply this migration."""
    statements = SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    """Revert this migration."""
    if op.get_bind().dialect.name == "sqlite":
        for name in ("service_fts_insert", "service_fts_update", "service_fts_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS service_fts")
        op.execute("DROP INDEX IF EXISTS ix_service_search_key_listing")
        op.execute("DROP INDEX IF EXISTS ix_service_search_key")
        # Dropped in place (SQLite 3.35+): copying the table would break the foreign keys into it.
        op.execute("ALTER TABLE service DROP COLUMN search_key")
        return
    op.execute("DROP INDEX IF EXISTS ix_service_search_vector")
    op.execute("ALTER TABLE service DROP COLUMN IF EXISTS search_vector")
    op.execute("DROP FUNCTION IF EXISTS search_unaccent(text)")
