"""A `limits` storage in one SQLite file: counters every worker process of one machine shares.

Registered under the scheme `sqlite` (`RATELIMIT_STORAGE_URI=sqlite:////path/to/limits.db`); the
default of every deployment without Redis. Each change is one short `BEGIN IMMEDIATE` transaction,
so concurrent processes and threads queue on the file's lock and never count the same slot twice.
Rows leave the file once their window has passed (at the next write, or the next read a minute on).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from limits.storage import MovingWindowSupport, Storage

BUSY_TIMEOUT_SECONDS = 10.0
PURGE_EVERY_SECONDS = 60.0  # reads drop passed windows this often, so that nothing lingers while idle
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS window_entry (key TEXT NOT NULL, at REAL NOT NULL, expires REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS window_entry_key ON window_entry (key, at)",
    "CREATE INDEX IF NOT EXISTS window_entry_expires ON window_entry (expires)",
    "CREATE TABLE IF NOT EXISTS counter"
    " (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires REAL NOT NULL)",
)


class SQLiteLimitStorage(Storage, MovingWindowSupport):
    """Moving-window (and fixed-window) rate-limit counters in a SQLite file, safe across processes."""

    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: Any) -> None:
        """Open (creating if needed) the file named by `sqlite:///relative` or `sqlite:////absolute`."""
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = Path(uri.removeprefix("sqlite:///"))
        self._local = threading.local()
        self._purged_at = 0.0
        self._create()

    @property
    def base_exceptions(self) -> type[Exception]:
        """The errors the file can raise (wrapped by `limits` when asked to)."""
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread and process: a connection must never cross a fork (gunicorn workers).
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None or getattr(self._local, "pid", None) != os.getpid():
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def _create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._writing() as connection:
            for statement in SCHEMA:
                connection.execute(statement)
            self._purge(connection, time.time())
        self.path.chmod(0o600)  # it holds HMACs of client addresses: for this app's user alone

    def _purge(self, connection: sqlite3.Connection, now: float) -> None:
        connection.execute("DELETE FROM window_entry WHERE expires <= ?", (now,))
        connection.execute("DELETE FROM counter WHERE expires <= ?", (now,))
        self._purged_at = now

    def _purge_now_and_then(self, now: float) -> None:
        if now - self._purged_at >= PURGE_EVERY_SECONDS:
            with self._writing() as connection:
                self._purge(connection, now)

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Take `amount` slots of the moving window `key` if that many are free; return whether it did."""
        if amount > limit:
            return False
        now = time.time()
        with self._writing() as connection:
            self._purge(connection, now)
            (taken,) = connection.execute(
                "SELECT COUNT(*) FROM window_entry WHERE key = ? AND at > ?", (key, now - expiry)
            ).fetchone()
            if taken + amount > limit:
                return False
            connection.executemany(
                "INSERT INTO window_entry (key, at, expires) VALUES (?, ?, ?)",
                [(key, now, now + expiry)] * amount,
            )
        return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """Return when the oldest slot in the window was taken, and how many are taken."""
        now = time.time()
        self._purge_now_and_then(now)
        oldest, taken = (
            self._connection()
            .execute(
                "SELECT MIN(at), COUNT(*) FROM window_entry WHERE key = ? AND at > ?", (key, now - expiry)
            )
            .fetchone()
        )
        return (oldest if taken else now), taken

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to the counter `key` (starting a window of `expiry` seconds); return its value."""
        now = time.time()
        with self._writing() as connection:
            connection.execute("DELETE FROM counter WHERE key = ? AND expires <= ?", (key, now))
            connection.execute(
                "INSERT INTO counter (key, value, expires) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
                (key, amount, now + expiry),
            )
            (value,) = connection.execute("SELECT value FROM counter WHERE key = ?", (key,)).fetchone()
        return int(value)

    def get(self, key: str) -> int:
        """Return the counter `key` (0 when it has expired or never started)."""
        row = (
            self._connection()
            .execute("SELECT value FROM counter WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        """Return when the counter `key` ends (now when it has none)."""
        row = self._connection().execute("SELECT expires FROM counter WHERE key = ?", (key,)).fetchone()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        """Return whether the file can be read."""
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter and window; return how many rows went."""
        with self._writing() as connection:
            removed = connection.execute("DELETE FROM window_entry").rowcount
            removed += connection.execute("DELETE FROM counter").rowcount
        return removed

    def clear(self, key: str) -> None:
        """Forget the counter and window `key`."""
        with self._writing() as connection:
            connection.execute("DELETE FROM window_entry WHERE key = ?", (key,))
            connection.execute("DELETE FROM counter WHERE key = ?", (key,))
