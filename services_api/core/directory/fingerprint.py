"""A cheap fingerprint of the public directory, for ETags known before an answer is built.

Every write to a table the public output is built from moves `directory_version` on (triggers,
migration 0019). What changes with time alone is added: the day (listings leave at midnight after
HIDE_AFTER_DAYS unconfirmed) and how many listings have passed the stale limit, which is counted
again only when the version moves or the next listing is due to turn stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from services_api.core.directory.visibility import PublicView, fresh_since
from services_api.models import Service, VettingStatus

VERSION = text("SELECT version FROM directory_version WHERE id = 1")


@dataclass(frozen=True)
class StaleMark:
    """How many live listings were stale at one directory version, and when the next one turns stale."""

    version: int
    stale_after_days: int
    stale: int
    next_change: datetime | None


def directory_version(session: Session) -> int:
    """Return the directory's version: it moves on with every write to published data."""
    return int(session.scalar(VERSION) or 0)


def _stale_mark(session: Session, view: PublicView, version: int, stale_after_days: int) -> StaleMark:
    rows = session.execute(
        select(Service.last_verified_at, Service.vetted_at).where(
            Service.vetting_status == VettingStatus.VETTED.value, Service.withdrawn_at.is_(None)
        )
    )
    stale, upcoming = 0, []
    for row in rows:
        fresh = fresh_since(row)
        if fresh is None or fresh < view.stale_before:
            stale += 1
        else:
            upcoming.append(fresh + timedelta(days=stale_after_days))
    return StaleMark(version, stale_after_days, stale, min(upcoming, default=None))


def directory_fingerprint(
    session: Session, view: PublicView, *, stale_after_days: int, marks: dict[Any, StaleMark]
) -> str:
    """Return a text that changes whenever anything the public may see can have changed.

    `marks` keeps the stale count between calls (one per app): most calls cost one read of one row.
    """
    version = directory_version(session)
    mark = marks.get("directory")
    if (
        mark is None
        or mark.version != version
        or mark.stale_after_days != stale_after_days
        or (mark.next_change is not None and view.now >= mark.next_change)
    ):
        mark = _stale_mark(session, view, version, stale_after_days)
        marks["directory"] = mark
    return f"{version}|{mark.stale}|{view.hidden_before_day}"
