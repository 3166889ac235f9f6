"""The database itself refuses to change or delete audit events (migration 0011), on both databases."""

from __future__ import annotations

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

from services_api.migrate import alembic_config
from tests.admin_helpers import Admin, make_admin, new_service

NEW_EVENT = """INSERT INTO audit_event (occurred_at, actor_role, action, entity_type, entity_id, changes)
               VALUES (CURRENT_TIMESTAMP, 'operator', 'note', 'service', 'by-hand', '{}')"""


def _engine(app: Flask) -> Engine:
    return app.extensions["db_engine"]


def _count(engine: Engine, where: str = "") -> int:
    with engine.connect() as connection:
        return int(connection.scalar(text(f"SELECT count(*) FROM audit_event {where}")) or 0)


def _migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


def _refused(engine: Engine, statement: str) -> str:
    with pytest.raises(DatabaseError) as refused, engine.begin() as connection:
        connection.execute(text(statement))
    return str(refused.value)


def test_the_database_refuses_to_update_or_delete_audit_events(admin: Admin) -> None:
    engine = _engine(admin.client.application)
    assert admin.as_partner("POST", "/services", json=new_service()).status_code == 201
    before = _count(engine)
    assert before > 0
    statements = [
        "UPDATE audit_event SET note = 'rewritten'",
        "DELETE FROM audit_event",
    ]
    if engine.dialect.name == "postgresql":
        statements.append("TRUNCATE audit_event")
    for statement in statements:
        assert "audit events are append-only" in _refused(engine, statement)
    assert _count(engine) == before
    assert _count(engine, "WHERE note = 'rewritten'") == 0


def test_events_are_still_added_by_hand_and_by_the_api(admin: Admin) -> None:
    engine = _engine(admin.client.application)
    before = _count(engine)
    with engine.begin() as connection:
        connection.execute(text(NEW_EVENT))
    created = admin.as_partner("POST", "/services", json=new_service()).get_json()
    etag = admin.as_partner("GET", f"/services/{created['id']}").headers["ETag"]
    renamed = admin.as_partner(
        "PATCH",
        f"/services/{created['id']}",
        json={"name": "Renamed"},
        headers={"If-Match": etag},
    )
    assert renamed.status_code == 200, renamed.get_json()
    assert _count(engine) == before + 3
    assert _count(engine, f"WHERE entity_id = '{created['id']}'") == 2


def test_downgrade_removes_the_triggers_and_upgrade_restores_them(app: Flask) -> None:
    engine = _engine(app)
    with engine.begin() as connection:
        connection.execute(text(NEW_EVENT))
    _migrate(engine, "0010", down=True)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET note = 'changed'"))
    assert _count(engine, "WHERE note = 'changed'") == 1
    _migrate(engine, "head")
    assert "audit events are append-only" in _refused(engine, "DELETE FROM audit_event")
    assert _count(engine) == 1
