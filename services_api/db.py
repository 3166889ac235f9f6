"""Database engine and sessions: one engine per app, one session per request or command."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, create_engine, event, exc, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from services_api.core.field_rules import DEFAULT_COUNTRY_KEY
from services_api.replicas import Replica, ReplicaSet, reads_from_replica, replica_engine_options

SQLITE_BUSY_TIMEOUT_MS = 20_000  # writers queue behind each other; under gunicorn's 30 s worker timeout
SQLITE_CACHE_KIB = 65536  # 64 MiB page cache per connection
SQLITE_MMAP_BYTES = 1 << 31  # read through memory-mapped I/O: far fewer system calls on big files


class DropStatementLogs(logging.Filter):
    """Drop SQLAlchemy's statement, parameter and row logs: they would hold searchers' locations."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep only warnings and errors (whose parameters `hide_parameters` already hides)."""
        return record.levelno >= logging.WARNING


def make_engine(database_url: str, *, create: bool = True, **kwargs: Any) -> Engine:
    """Create an engine with the per-dialect setup this project relies on.

    No log at any level gets a query's parameters or result rows: the parameters of a search are
    the searcher's location. With `create=False` (the app's engine: serving and every command but
    init-db) a SQLite file is only ever opened, never created.
    """
    statement_logger = logging.getLogger("sqlalchemy.engine.Engine")
    if not any(isinstance(existing, DropStatementLogs) for existing in statement_logger.filters):
        statement_logger.addFilter(DropStatementLogs())
    kwargs.setdefault("hide_parameters", True)
    if database_url.startswith("sqlite"):
        database = _sqlite_file(database_url)
        if create and database:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(database_url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _configure_sqlite_connection)
        if not create and database:
            _open_existing_file_only(engine, database)
        return engine
    return create_engine(database_url, pool_pre_ping=True, **kwargs)


def _sqlite_file(database_url: str) -> str | None:
    database = make_url(database_url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


def _open_existing_file_only(engine: Engine, database: str) -> None:
    """Open the SQLite file read-write without creating it, and follow the file at its path.

    A file moved away while serving gives "unable to open database file" (a 503) instead of a new,
    empty database; pooled connections to a file that has left the path (moved or replaced) are
    dropped at checkout, so the app serves the file again as soon as it is back, without a reload.
    """
    database = os.path.abspath(database)
    uri = f"file:{quote(database)}?mode=rw"

    def connect_without_creating(
        _dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]
    ) -> None:
        cargs[:] = [uri]
        cparams["uri"] = True

    def remember_file(_dbapi_connection: Any, record: Any) -> None:
        record.info["sqlite_file"] = _identity(database)

    def still_the_file(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        current = _identity(database)
        if current is None or current != record.info.get("sqlite_file"):
            # Drop every pooled connection to the old file, not only this one.
            raise exc.InvalidatePoolError("the database file has left its path")

    event.listen(engine, "do_connect", connect_without_creating)
    event.listen(engine, "connect", remember_file)
    event.listen(engine, "checkout", still_the_file)


def _identity(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer, so concurrent writers queue instead of failing.

    On SQLite a transaction that reads and then writes can fail when another writer commits in
    between; BEGIN IMMEDIATE takes the write lock first (waiting up to the busy timeout). Other
    databases lock rows as they write, so nothing is needed there.
    """
    if session.get_bind().dialect.name == "sqlite" and not session.in_transaction():
        session.execute(text("BEGIN IMMEDIATE"))


def refresh_statistics(session: Session) -> None:
    """Update the query planner's statistics (after bulk loads), so searches start from the spatial index."""
    session.execute(text("ANALYZE"))


def init_app(app: Flask) -> None:
    """Attach an engine and session factory to the app and close sessions after each request."""
    engine = make_engine(app.config["DATABASE_URL"], create=False)
    app.extensions["db_engine"] = engine
    # Core code reads the directory's default country for phone numbers from its session.
    info = {DEFAULT_COUNTRY_KEY: app.config.get("DEFAULT_COUNTRY") or None}
    app.extensions["db_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False, info=info)
    urls = app.config.get("DATABASE_REPLICA_URLS") or ()
    if urls:
        app.extensions["db_replicas"] = ReplicaSet(
            [_replica(url, number=number, info=info) for number, url in enumerate(urls, start=1)],
            max_lag_seconds=float(app.config["MAX_REPLICA_LAG_SECONDS"]),
        )
    app.teardown_appcontext(_close_session)


def _replica(url: str, *, number: int, info: dict[str, Any]) -> Replica:
    engine = make_engine(url, create=False, **replica_engine_options())
    sessions = sessionmaker(bind=engine, expire_on_commit=False, info=info)
    return Replica(name=f"{number} ({make_url(url).host})", engine=engine, sessions=sessions)


def get_engine() -> Engine:
    """Return the current app's engine."""
    engine: Engine = current_app.extensions["db_engine"]
    return engine


def get_session() -> Session:
    """Return the session of the current request or command, opening it on first use."""
    if "db_session" not in g:
        g.db_session = _open_session()
    session: Session = g.db_session
    return session


def _open_session() -> Session:
    """A session on a usable replica for a public read when replicas are set, else on the primary."""
    replicas: ReplicaSet | None = current_app.extensions.get("db_replicas")
    if replicas is not None and has_request_context() and reads_from_replica(request):
        session = replicas.open_session()
        if session is not None:
            return session
    primary: Session = current_app.extensions["db_sessionmaker"]()
    return primary


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
