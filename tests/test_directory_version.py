"""The directory version (migration 0019): every write to published data moves it, so ETags are cheap.

The triggers differ by database (per row on SQLite, once per transaction at commit on PostgreSQL):
these tests run on both.
"""

from __future__ import annotations

import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, inspect, text

from services_api.migrate import alembic_config
from tests.admin_helpers import Admin, make_admin, new_service
from tests.test_sync_deltas import edit


def _engine(app: Flask) -> Engine:
    return app.extensions["db_engine"]


def _version(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(text("SELECT version FROM directory_version WHERE id = 1")))


def _migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


def test_writes_by_the_api_and_by_hand_move_the_version_on(admin: Admin) -> None:
    engine = _engine(admin.client.application)
    start = _version(engine)
    assert admin.as_partner("POST", "/services", json=new_service("Counted")).status_code == 201
    after_api = _version(engine)
    assert after_api > start
    with engine.begin() as connection:
        connection.execute(text("UPDATE taxonomy SET description = description || '.'"))
    assert _version(engine) > after_api
    moved = _version(engine)
    with engine.begin() as connection:
        connection.execute(text("SELECT count(*) FROM service"))
    assert _version(engine) == moved


def test_a_transaction_moves_it_only_when_it_commits(seeded_app: Flask) -> None:
    engine = _engine(seeded_app)
    start = _version(engine)
    with engine.connect() as connection:
        connection.execute(text("UPDATE taxonomy SET description = description || '!'"))
        connection.rollback()
    assert _version(engine) == start
    with engine.begin() as connection:
        connection.execute(text("UPDATE taxonomy SET description = description || '!'"))
        connection.execute(text("UPDATE taxonomy_term SET description = description || '!'"))
    moves = _version(engine) - start
    assert moves >= 1
    if engine.dialect.name == "postgresql":
        assert moves == 1  # once per transaction, at its commit


def test_a_writer_never_waits_for_the_counter_while_another_transaction_is_open(seeded_app: Flask) -> None:
    """The counter's row is locked only at commit: an open transaction holds no lock on it.

    Were it locked at the first write, the second writer would wait for the first, and the first,
    writing the second's row next, for the second: a deadlock.
    """
    engine = _engine(seeded_app)
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    start = _version(engine)
    with engine.connect() as connection:
        ids = list(connection.scalars(text("SELECT id FROM taxonomy ORDER BY id LIMIT 2")))
    touch = text("UPDATE taxonomy SET description = description || '.' WHERE id = :id")
    with engine.connect() as first, engine.connect() as second:
        first.execute(touch, {"id": ids[0]})
        second.execute(text("SET LOCAL lock_timeout = '2s'"))
        second.execute(touch, {"id": ids[1]})
        second.commit()
        first.execute(touch, {"id": ids[1]})
        first.commit()
    assert _version(engine) == start + 2


def test_a_matching_revalidation_is_a_304_and_any_write_ends_it(admin: Admin) -> None:
    client: FlaskClient = admin.client
    path = "/api/v1/services?search=clinic&per_page=50"
    first = client.get(path)
    assert first.status_code == 200
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
    other = client.get(
        "/api/v1/services?per_page=50&search=clinic", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert other.status_code == 304, "the same query in another order is the same answer"
    own = [item for item in admin.as_partner("GET", "/services?per_page=100").get_json()["contents"]]
    edit(admin, next(item for item in own if item["public"])["id"], description="Changed today.")
    changed = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def _triggers(engine: Engine) -> int:
    query = (
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'directory_version%'"
        if engine.dialect.name == "sqlite"
        else "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'directory_version%'"
    )
    with engine.connect() as connection:
        return int(connection.scalar(text(query)))


def test_downgrade_removes_the_counter_and_its_triggers(seeded_app: Flask) -> None:
    engine = _engine(seeded_app)
    assert _triggers(engine) > 0
    _migrate(engine, "0018", down=True)
    assert "directory_version" not in inspect(engine).get_table_names() and _triggers(engine) == 0
    with engine.begin() as connection:
        connection.execute(text("UPDATE taxonomy SET description = description || '.'"))
    _migrate(engine, "head")
    start = _version(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE taxonomy SET description = description || '.'"))
    assert _version(engine) > start
