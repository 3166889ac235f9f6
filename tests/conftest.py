"""Fixtures: a fresh, migrated database per test (SQLite by default, PostgreSQL via TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

from services_api import create_app
from services_api.core.seeding.demo import seed_demo_directory, seed_gazetteer, seed_taxonomies
from services_api.db import get_session, make_engine, refresh_statistics
from services_api.migrate import upgrade_to_head

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


def _settings(database_url: str) -> dict[str, object]:
    return {"APP_ENV": "testing", "DATABASE_URL": database_url}


def _seed(database_url: str) -> None:
    app = create_app(_settings(database_url))
    with app.app_context():
        session = get_session()
        seed_gazetteer(session)
        seed_taxonomies(session)
        seed_demo_directory(session)
        session.commit()
        refresh_statistics(session)
        session.commit()
    app.extensions["db_engine"].dispose()


class PostgresTemplates:
    """Template databases on the PostgreSQL server, so each test gets a fresh copy in milliseconds."""

    def __init__(self, url: str):
        self.url = make_url(url)
        # Each pytest-xdist worker has databases of its own.
        self.base = f"{self.url.database}{os.environ.get('PYTEST_XDIST_WORKER', '')}"
        self.names = {
            "empty": f"{self.base}_tpl_empty",
            "seeded": f"{self.base}_tpl_seeded",
            "case": f"{self.base}_case",
            "seeded_case": f"{self.base}_seeded_case",
        }
        self.admin = make_engine(
            self.url.set(database="postgres").render_as_string(False), isolation_level="AUTOCOMMIT"
        )

    def url_of(self, name: str) -> str:
        return self.url.set(database=self.names[name]).render_as_string(hide_password=False)

    def recreate(self, name: str, template: str | None = None) -> str:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.names[name]}" WITH (FORCE)'))
            source = f' TEMPLATE "{self.names[template]}"' if template else ""
            connection.execute(text(f'CREATE DATABASE "{self.names[name]}"{source}'))
        return self.url_of(name)

    def build(self) -> None:
        engine = make_engine(self.recreate("empty"))
        upgrade_to_head(engine)
        engine.dispose()
        _seed(self.recreate("seeded", template="empty"))

    def drop_all(self) -> None:
        with self.admin.connect() as connection:
            for name in self.names.values():
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Migrated databases to copy for each test: one empty, one with the demo directory."""
    if POSTGRES_URL:
        postgres = PostgresTemplates(POSTGRES_URL)
        postgres.build()
        yield {"postgres": postgres}
        postgres.drop_all()
        return
    folder = tmp_path_factory.mktemp("templates")
    empty, seeded = folder / "empty.db", folder / "seeded.db"
    engine = make_engine(f"sqlite:///{empty}")
    upgrade_to_head(engine)
    engine.dispose()
    shutil.copy(empty, seeded)
    _seed(f"sqlite:///{seeded}")
    yield {"empty": empty, "seeded": seeded}


def _database_url(templates: dict[str, Any], tmp_path: Path, *, seeded: bool) -> str:
    kind = "seeded" if seeded else "empty"
    # A test may use both an empty and a seeded app: each has its own database.
    if "postgres" in templates:
        return str(templates["postgres"].recreate("seeded_case" if seeded else "case", template=kind))
    target = tmp_path / ("seeded.db" if seeded else "test.db")
    shutil.copy(templates[kind], target)
    return f"sqlite:///{target}"


def _app(database_url: str) -> Iterator[Flask]:
    app = create_app(_settings(database_url))
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def app(templates: dict[str, Any], tmp_path: Path) -> Iterator[Flask]:
    """An app on a fresh, empty, migrated database."""
    yield from _app(_database_url(templates, tmp_path, seeded=False))


@pytest.fixture
def seeded_app(templates: dict[str, Any], tmp_path: Path) -> Iterator[Flask]:
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
