"""a directory version that every write to published data moves on, kept by the database itself

Public answers' ETags come from this counter (plus the query and the day), so a client's
revalidation is answered 304 without building the answer. Triggers on every table the public
output is built from add one to `directory_version.version` whenever a row is inserted, changed or
deleted, by the API or by hand. On PostgreSQL the counter moves once per transaction, at its commit
(a deferred constraint trigger): the row is locked only at the very end, so writers never deadlock
on it, and readers see the new number only with the data it stands for.

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "organization",
    "service",
    "location",
    "service_at_location",
    "address",
    "accessibility",
    "phone",
    "schedule",
    "language",
    "contact",
    "service_area",
    "cost_option",
    "attribute",
    "taxonomy",
    "taxonomy_term",
    "place",
    "place_name",
    "postcode",
)
OPERATIONS = ("insert", "update", "delete")
BUMP = "UPDATE directory_version SET version = version + 1 WHERE id = 1"


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "directory_version",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    op.execute("INSERT INTO directory_version (id, version) VALUES (1, 1)")
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for operation in OPERATIONS:
                op.execute(
                    f"CREATE TRIGGER directory_version_{table}_{operation} AFTER {operation.upper()} "
                    f"ON {table} BEGIN {BUMP}; END"
                )
        return
    op.execute(
        f"""CREATE FUNCTION directory_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF current_setting('services_api.directory_bumped', true) = txid_current()::text THEN
                RETURN NULL;
              END IF;
              PERFORM set_config('services_api.directory_bumped', txid_current()::text, true);
              {BUMP};
              RETURN NULL;
            END $$"""
    )
    for table in TABLES:
        op.execute(
            f"CREATE CONSTRAINT TRIGGER directory_version_{table} AFTER INSERT OR UPDATE OR DELETE "
            f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION directory_version_bump()"
        )


def downgrade() -> None:
    """Revert this migration: no counter, no triggers."""
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER directory_version_{table}_{operation}")
    else:
        for table in TABLES:
            op.execute(f"DROP TRIGGER directory_version_{table} ON {table}")
        op.execute("DROP FUNCTION directory_version_bump()")
    op.drop_table("directory_version")
