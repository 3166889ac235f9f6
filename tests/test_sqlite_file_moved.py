"""The SQLite file moved away while serving: a clean 503, no new file, and service again once it is back."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from flask import Flask

from services_api import create_app
from services_api.db import get_session
from services_api.models import Service, VettingStatus

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="the database file exists on SQLite only"
)


def _database_file(app: Flask) -> Path:
    return Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))


def _beside(path: Path) -> set[str]:
    return {entry.name for entry in path.parent.iterdir() if entry.name.startswith(path.name)}


def test_a_moved_database_gives_503_creates_nothing_and_recovers_without_a_reload(
    seeded_app: Flask, tmp_path: Path
) -> None:
    client = seeded_app.test_client()
    database = _database_file(seeded_app)
    away = tmp_path / "elsewhere" / "moved.db"
    away.parent.mkdir()
    assert client.get("/api/v1/services").status_code == 200
    assert client.get("/api/v1/admin/services").status_code == 401
    there_before = _beside(database)

    database.rename(away)
    for path in ("/api/v1/services", "/api/v1/taxonomies", "/api/v1/admin/services"):
        response = client.get(path, headers={"Authorization": "Bearer sa_x_y"})
        assert response.status_code == 503, path
        assert response.get_json()["code"] == 503
        assert set(response.get_json()) == {"code", "status", "message", "errors"}
    assert not database.exists()
    assert _beside(database) <= there_before - {database.name}  # at most the old file's WAL, never a new file

    away.rename(database)
    back = client.get("/api/v1/services")
    assert back.status_code == 200
    assert back.get_json()["total_items"] > 0


def test_a_database_replaced_while_serving_is_read_from_the_new_file(
    seeded_app: Flask, tmp_path: Path
) -> None:
    client = seeded_app.test_client()
    database = _database_file(seeded_app)
    before = client.get("/api/v1/services").get_json()["total_items"]
    copy = tmp_path / "restored.db"
    with seeded_app.app_context():
        get_session().connection().exec_driver_sql(f"VACUUM INTO '{copy}'")
    first_service = client.get("/api/v1/services").get_json()["contents"][0]["id"]
    with seeded_app.app_context():
        session = get_session()
        session.get(Service, uuid.UUID(first_service)).vetting_status = VettingStatus.SUSPENDED.value  # type: ignore[union-attr]
        session.commit()
    assert client.get("/api/v1/services").get_json()["total_items"] == before - 1
    copy.replace(database)  # an operator restores yesterday's backup over the live file
    assert client.get("/api/v1/services").get_json()["total_items"] == before


def test_only_init_db_creates_the_database_file(tmp_path: Path) -> None:
    database = tmp_path / "new" / "directory.db"
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{database}"})
    client = app.test_client()
    assert client.get("/api/v1/services").status_code == 503
    assert client.get("/api/v1/services").status_code == 503
    runner = app.test_cli_runner()
    assert runner.invoke(args=["keys", "list"]).exit_code != 0
    assert not database.exists()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert database.exists()
    response = client.get("/api/v1/services")
    assert response.status_code == 200 and response.get_json()["total_items"] == 0
    app.extensions["db_engine"].dispose()
