"""the audit log is append-only in the database itself

Until now only the API kept audit events unchanged: anyone with the database's credentials (a
maintenance script, a mistaken `UPDATE`) could rewrite or delete what the log recorded. Triggers
now refuse every UPDATE and DELETE on `audit_event`, on both databases, and TRUNCATE on
PostgreSQL (SQLite has none). Nothing in the application changes or deletes an audit event, and
no foreign key points at the table, so no cascade runs into the triggers.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "audit events are append-only"
SQLITE_TRIGGERS = {
    "audit_event_no_update": "BEFORE UPDATE ON audit_event",
    "audit_event_no_delete": "BEFORE DELETE ON audit_event",
}
POSTGRES_TRIGGERS = {
    "audit_event_no_change": "BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW",
    "audit_event_no_truncate": "BEFORE TRUNCATE ON audit_event FOR EACH STATEMENT",
}


def upgrade() -> None:
    """Apply this migration."""
    if op.get_bind().dialect.name == "sqlite":
        for name, when in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
        return
    op.execute(
        f"""CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
            END $$"""
    )
    for name, when in POSTGRES_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION audit_event_refuse_change()")


def downgrade() -> None:
    """Revert this migration: the database lets audit events change again."""
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
        return
    for name in POSTGRES_TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON audit_event")
    op.execute("DROP FUNCTION audit_event_refuse_change()")
