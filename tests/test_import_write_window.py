"""A bulk import reads and prepares everything first, so it holds the write lock for its writes alone.

On SQLite a write transaction holds the database's one write lock from its first write to its
commit: any read left inside it (is this record stored? whose is it? where is this postcode?)
keeps every other partner waiting.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from services_api.api.admin import importing
from tests.admin_helpers import Admin, make_admin
from tests.test_admin_import import organisation_file, post_import

READS = ("SELECT", "PRAGMA", "WITH")


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


@contextmanager
def transactions(app: Flask) -> Iterator[list[list[str]]]:
    """Record the statements the app runs (their first word), one list per transaction."""
    engine = app.extensions["db_engine"]
    recorded: list[list[str]] = [[]]

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        recorded[-1].append(sql.split(None, 1)[0].upper())

    def end(_conn: Any) -> None:
        if recorded[-1]:
            recorded.append([])

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", end)
    event.listen(engine, "rollback", end)
    try:
        yield recorded
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", end)
        event.remove(engine, "rollback", end)


def after_first_write(statements: list[str]) -> list[str]:
    """Return a transaction's statements from its first write on (what runs holding the lock)."""
    first = next(
        (index for index, verb in enumerate(statements) if verb not in READS),
        len(statements),
    )
    return statements[first:]


def grown(document: dict[str, Any]) -> dict[str, Any]:
    """Return the document with a renamed service, a new phone on it, and a second listing."""
    service = document["services"][0]
    service["name"] = "Night drop-in, renamed"
    service["phones"] = [{"id": str(uuid.uuid4()), "number": "+44 20 7946 0101"}]
    extra = organisation_file(uuid.UUID(document["id"]))
    document["locations"] += extra["locations"]
    document["services"] += extra["services"]
    return document


def test_an_import_runs_no_read_while_it_holds_the_write_lock(admin: Admin) -> None:
    document = organisation_file(admin.partner_id)
    assert post_import(admin, document).status_code == 200
    with transactions(admin.client.application) as recorded:
        response = post_import(admin, grown(document))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["created"] > 0 and response.get_json()["changed"] > 0
    writing = [after_first_write(statements) for statements in recorded]
    assert any("INSERT" in statements for statements in writing)
    for statements in writing:
        assert [verb for verb in statements if verb in READS] == [], statements


def test_a_dry_run_does_not_write_at_all(admin: Admin) -> None:
    with transactions(admin.client.application) as recorded:
        response = post_import(admin, organisation_file(admin.partner_id), query="?dry_run=true")
    assert response.status_code == 200 and response.get_json()["created"] > 0
    writes = [verb for statements in recorded for verb in statements if verb not in READS]
    assert set(writes) <= {"UPDATE"}, writes  # at most the key's last use, committed on its own
    assert len(writes) <= 1


@contextmanager
def paused_preparation(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Hold imports while they place their first address: (reached, release)."""
    reached, release = threading.Event(), threading.Event()
    gazetteer = importing.address_locator  # type: ignore[attr-defined]

    def paused_locator() -> Any:
        locator = gazetteer()

        def geocode(query: str, **kwargs: Any) -> Any:
            reached.set()
            release.wait(timeout=60)  # never forever: without the fix the other write waits for the import
            return locator.geocode(query, **kwargs)

        return geocode

    monkeypatch.setattr(importing, "address_locator", paused_locator)
    try:
        yield reached, release
    finally:
        release.set()


def import_in_background(admin: Admin, document: dict[str, Any]) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        outcome["response"] = post_import(admin, document)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def edit_service(admin: Admin, key: str, service_id: str, description: str) -> Any:
    current = admin.client.get(f"/api/v1/admin/services/{service_id}", headers=admin.headers(key))
    return admin.client.open(
        f"/api/v1/admin/services/{service_id}",
        method="PATCH",
        json={"description": description},
        headers=admin.headers(key, **{"If-Match": current.headers["ETag"]}),
    )


def test_another_partner_writes_while_an_import_is_being_prepared(
    admin: Admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other partner's edit goes through while the import is still placing its addresses."""
    if admin.client.application.config["DATABASE_URL"].startswith("postgresql"):
        pytest.skip("PostgreSQL locks rows, not the database: there is no one write lock to hold")
    theirs = admin.as_other("GET", "/services?per_page=1").get_json()["contents"][0]
    with paused_preparation(monkeypatch) as (reached, release):
        importer, outcome = import_in_background(admin, organisation_file(admin.partner_id))
        assert reached.wait(timeout=60)
        edit = edit_service(admin, admin.other_partner_key, theirs["id"], "Edited during an import.")
        finished_while_paused = not importer.is_alive()
        release.set()
        importer.join()
    assert edit.status_code == 200, edit.get_json()
    assert not finished_while_paused
    assert outcome["response"].status_code == 200, outcome["response"].get_json()


def test_an_import_over_records_changed_during_its_preparation_imports_nothing(
    admin: Admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = organisation_file(admin.partner_id, with_point=True)
    assert post_import(admin, document).status_code == 200
    service_id = document["services"][0]["id"]
    newer = grown(document)  # renames the stored service, adds a listing placed from its postcode
    with paused_preparation(monkeypatch) as (reached, release):
        importer, outcome = import_in_background(admin, newer)
        assert reached.wait(timeout=60)
        edit = edit_service(admin, admin.partner_key, service_id, "Changed while the import was prepared.")
        release.set()
        importer.join()
    assert edit.status_code == 200, edit.get_json()
    response = outcome["response"]
    assert response.status_code == 409, response.get_json()
    stored = admin.as_partner("GET", f"/services/{service_id}").get_json()
    assert (stored["name"], stored["description"]) == (
        "Night drop-in",
        "Changed while the import was prepared.",
    )
    added = newer["services"][1]["id"]
    assert admin.as_partner("GET", f"/services/{added}").status_code == 404
