"""Fixtures: a fresh, migrated database per test (SQLite by default, PostgreSQL via TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from services_api import create_app
from services_api.core.seed import seed_demo_directory, seed_taxonomies
from services_api.db import get_session, make_engine
from services_api.migrate import upgrade_to_head
from services_api.models import Base

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


def _settings(database_url: str) -> dict[str, object]:
    return {"APP_ENV": "testing", "DATABASE_URL": database_url}


def _seed(database_url: str) -> None:
    app = create_app(_settings(database_url))
    with app.app_context():
        session = get_session()
        seed_taxonomies(session)
        seed_demo_directory(session)
        session.commit()
    app.extensions["db_engine"].dispose()


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} CASCADE"))


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Migrated SQLite files to copy for each test: one empty, one with the demo directory."""
    folder = tmp_path_factory.mktemp("templates")
    empty, seeded = folder / "empty.db", folder / "seeded.db"
    if POSTGRES_URL:
        engine = make_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade_to_head(engine)
        engine.dispose()
        return {}
    engine = make_engine(f"sqlite:///{empty}")
    upgrade_to_head(engine)
    engine.dispose()
    shutil.copy(empty, seeded)
    _seed(f"sqlite:///{seeded}")
    return {"empty": empty, "seeded": seeded}


def _database_url(templates: dict[str, Path], tmp_path: Path, *, seeded: bool) -> str:
    if POSTGRES_URL:
        engine = make_engine(POSTGRES_URL)
        _truncate_all(engine)
        engine.dispose()
        if seeded:
            _seed(POSTGRES_URL)
        return POSTGRES_URL
    target = tmp_path / "test.db"
    shutil.copy(templates["seeded" if seeded else "empty"], target)
    return f"sqlite:///{target}"


def _app(database_url: str) -> Iterator[Flask]:
    app = create_app(_settings(database_url))
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def app(templates: dict[str, Path], tmp_path: Path) -> Iterator[Flask]:
    """An app on a fresh, empty, migrated database."""
    yield from _app(_database_url(templates, tmp_path, seeded=False))


@pytest.fixture
def seeded_app(templates: dict[str, Path], tmp_path: Path) -> Iterator[Flask]:
    """An app on a fresh database holding the taxonomies and the demo directory."""
    yield from _app(_database_url(templates, tmp_path, seeded=True))


@pytest.fixture
def client(seeded_app: Flask) -> FlaskClient:
    """A test client of the seeded app."""
    return seeded_app.test_client()


@pytest.fixture
def empty_client(app: Flask) -> FlaskClient:
    """A test client of the app with an empty directory."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner of the app with an empty directory."""
    return app.test_cli_runner()


@pytest.fixture
def db(seeded_app: Flask) -> Iterator[Session]:
    """A session on the seeded database, inside an app context."""
    with seeded_app.app_context():
        yield get_session()
