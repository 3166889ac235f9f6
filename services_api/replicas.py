"""Read replicas: public reads go to a PostgreSQL streaming replica that is up and not lagging.

Writes, and every admin request (so a partner reads its own writes at once), go to the primary. A
replica is asked how far it lags at most every `CHECK_SECONDS`; one that does not answer, or that
lags more than `MAX_REPLICA_LAG_SECONDS`, is skipped until it answers in time again, and when no
replica will do, the primary serves the read.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Request
from sqlalchemy import Engine, exc, text
from sqlalchemy.orm import Session, sessionmaker

CHECK_SECONDS = 2.0  # how long a replica's answer about its lag is trusted
CONNECT_TIMEOUT_SECONDS = 2  # a replica that is down must not hold a reader for long
READ_METHODS = frozenset({"GET", "HEAD"})
ADMIN_PREFIX = "/api/v1/admin"

# Seconds since the last replayed transaction, or 0 when everything received is replayed (an idle
# primary sends nothing, and a replica that has replayed all it has is not behind).
LAG_QUERY = text(
    """
    SELECT CASE
      WHEN NOT pg_is_in_recovery() THEN 0
      WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
      ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)
    END
    """
)

logger = logging.getLogger(__name__)


@dataclass
class Replica:
    """One replica: its engine, its sessions and what it last said about its lag."""

    name: str
    engine: Engine
    sessions: sessionmaker[Session]
    usable: bool = False
    checked_at: float = float("-inf")
    lock: threading.Lock = field(default_factory=threading.Lock)


class ReplicaSet:
    """The replicas public reads may go to, taken in turn, skipping those down or behind."""

    def __init__(self, replicas: Sequence[Replica], *, max_lag_seconds: float):
        self.replicas = list(replicas)
        self.max_lag_seconds = max_lag_seconds
        self._turn = itertools.count()

    def open_session(self) -> Session | None:
        """Return a connected session on the next usable replica, or None when none is usable now.

        The session connects here, so a replica that went down since its last check is found out
        (and skipped) before the request reads anything from it.
        """
        count = len(self.replicas)
        start = next(self._turn)
        for offset in range(count):
            replica = self.replicas[(start + offset) % count]
            if not self._usable(replica):
                continue
            session = replica.sessions()
            try:
                session.connection()
            except (exc.SQLAlchemyError, OSError):
                session.close()
                self._skip(replica)
                continue
            return session
        return None

    def _skip(self, replica: Replica) -> None:
        with replica.lock:
            if replica.usable:
                logger.warning("read replica %s is skipped", replica.name)
            replica.usable = False
            replica.checked_at = time.monotonic()

    def _usable(self, replica: Replica) -> bool:
        if time.monotonic() - replica.checked_at < CHECK_SECONDS:
            return replica.usable
        with replica.lock:
            if time.monotonic() - replica.checked_at >= CHECK_SECONDS:  # not checked meanwhile
                lag = replica_lag_seconds(engine=replica.engine)
                usable = lag is not None and lag <= self.max_lag_seconds
                if usable != replica.usable:
                    logger.warning("read replica %s is %s", replica.name, "in use" if usable else "skipped")
                replica.usable = usable
                replica.checked_at = time.monotonic()
        return replica.usable

    def dispose(self) -> None:
        """Close every replica's connections."""
        for replica in self.replicas:
            replica.engine.dispose()


def replica_lag_seconds(*, engine: Engine) -> float | None:
    """Return how many seconds the replica is behind, or None when it cannot be asked."""
    try:
        with engine.connect() as connection:
            return float(connection.scalar(LAG_QUERY) or 0)
    except (exc.SQLAlchemyError, OSError):
        return None


def reads_from_replica(request: Request) -> bool:
    """Whether a request may be answered from a replica: a public read, not an admin's."""
    return request.method in READ_METHODS and not (
        request.path == ADMIN_PREFIX or request.path.startswith(f"{ADMIN_PREFIX}/")
    )


def replica_engine_options() -> dict[str, Any]:
    """The engine options of a replica: give up connecting quickly, so a dead one is skipped fast."""
    return {"connect_args": {"connect_timeout": CONNECT_TIMEOUT_SECONDS}}
