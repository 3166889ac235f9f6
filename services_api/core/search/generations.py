"""Answers kept per process while the data they came from is unchanged (the directory version).

Counting and ranking every match of a keyword search costs time that grows with the directory;
so does resolving a place name against the whole gazetteer. Each answer is kept here under the
directory version (migration 0019), which triggers move on with every insert, update and delete of
published data and of the gazetteer, by any process, and which a reader sees move only together
with the data it stands for. An answer kept under an older version is never used again, so a kept
answer is always the one the database would give now.

The version is read before the answer is computed: a write committed in between leaves the
answer under the older version, where nothing looks it up. Kept per engine (a test's fresh
database never sees another's answers), least recently used first out, at most `MAX_ANSWERS`.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from services_api.core.directory.fingerprint import directory_version

LISTINGS = "listings"
GAZETTEER = "gazetteer"
MAX_ANSWERS = 2048
_ANSWERS: weakref.WeakKeyDictionary[Engine, OrderedDict[Hashable, object]] = weakref.WeakKeyDictionary()
_READ: weakref.WeakKeyDictionary[Engine, dict[str, tuple[int, float]]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
_UNCOMMITTED = "search_generations_uncommitted"
# Statements that may write (WITH may head an INSERT): after one, the transaction keeps nothing.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC", "MERGE ", "COPY ", "TRUNCA", "WITH ", "WITH\n")
T = TypeVar("T")


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    if statement.lstrip()[:6].upper() in _WRITES:
        connection.info[_UNCOMMITTED] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _ended(connection: Connection) -> None:
    connection.info.pop(_UNCOMMITTED, None)


def kept(
    session: Session, *, kind: str, key: Hashable, compute: Callable[[], T], recheck_seconds: float = 0.0
) -> T:
    """Return the answer kept for `key` (one of `kind`'s) under the directory version, computing it if none.

    With `recheck_seconds`, the generation read last is trusted that long (no query at all): a
    change then shows within that time instead of at once.
    """
    # A session's own uncommitted writes may be rolled back, and their generation reused.
    wrote = session.in_transaction() and session.connection().info.get(_UNCOMMITTED)
    engine = session.get_bind().engine
    current = None if wrote else _current(session, engine, kind, recheck_seconds)
    if current is None:
        return compute()
    full_key = (kind, current, key)
    with _LOCK:
        answers = _ANSWERS.setdefault(engine, OrderedDict())
        if full_key in answers:
            answers.move_to_end(full_key)
            return answers[full_key]  # type: ignore[return-value]
    answer = compute()
    with _LOCK:
        answers[full_key] = answer
        while len(answers) > MAX_ANSWERS:
            answers.popitem(last=False)
    return answer


def _current(session: Session, engine: Engine, kind: str, recheck_seconds: float) -> int | None:
    """Return the directory version as read for `kind`, again once that reading is `recheck_seconds` old."""
    now = time.monotonic()
    with _LOCK:
        read = _READ.get(engine, {}).get(kind)
    if read is not None and now - read[1] < recheck_seconds:
        return read[0]
    current = directory_version(session)
    if current is not None and recheck_seconds:
        with _LOCK:
            _READ.setdefault(engine, {})[kind] = (current, now)
    return current


def forget_answers() -> None:
    """Drop every kept answer and generation read (for benchmarks timing the uncached work)."""
    with _LOCK:
        _ANSWERS.clear()
        _READ.clear()
