"""What changed in the public directory since a moment: for offline copies kept in step by deltas.

A service's public version changes when it is written (its `modified` moves, also when its places
or links change), when it turns stale (its document gains a notice), and when it leaves public
output (withdrawn, suspended, rejected, defunct, or hidden after HIDE_AFTER_DAYS unconfirmed). A
listing that left is sent as a tombstone: a valid HSDS record under its last name, with an HSDS status
saying it is no longer active, and why and when it left. Only listings that were ever public (vetted
at some time) get tombstones, so nothing about unpublished listings leaks. A change "after" a moment
is one on or after it, as HSDS says of `modified_after`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from services_api.core.directory.visibility import HIDDEN_SERVICE_STATUSES, PublicView, fresh_since
from services_api.core.errors import BadParameterError
from services_api.models import AuditEvent, Service, ServiceAtLocation, VettingStatus

SYNC_OVERLAP = timedelta(seconds=60)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Change:
    """One listing whose public version changed: `removed` says why it left, None when it is public.

    `name` is the service's name (for a tombstone); `service` is, for a service-at-location, the
    change of the service it belongs to.
    """

    id: uuid.UUID
    changed_at: datetime
    removed: str | None = None
    name: str | None = None
    service: Change | None = None

    @property
    def cursor(self) -> str:
        """Return the position after this change, for the next page."""
        return f"{self.changed_at.isoformat()}~{self.id}"


class BadCursorError(BadParameterError):
    """A `cursor` that this API did not hand out."""

    def __init__(self, problem: str):
        super().__init__("Invalid query parameter: cursor", problems={"cursor": [problem]})


def parse_cursor(text: str) -> tuple[datetime, uuid.UUID]:
    """Return the (time, id) a cursor points after."""
    moment, _, record_id = text.partition("~")
    try:
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None:
            raise ValueError("naive")
        return parsed.astimezone(UTC), uuid.UUID(record_id)
    except ValueError:
        raise BadCursorError("is not a cursor from a previous page") from None


def next_modified_after(now: datetime) -> datetime:
    """Return what a client should send as `modified_after` next time.

    It lies SYNC_OVERLAP before now, so a write that stamped its time before this response but
    committed after it is still sent next time (a few listings may arrive twice; applying them
    again changes nothing).
    """
    return now - SYNC_OVERLAP


def hidden_at(last_verified_at: datetime, hide_after_days: int) -> datetime:
    """Return the midnight UTC at which a listing confirmed at `last_verified_at` leaves public output."""
    midnight = last_verified_at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + DAY + timedelta(days=hide_after_days)


def _removal_reason(service: Any, view: PublicView) -> str | None:
    if service.withdrawn_at is not None:
        return "withdrawn"
    if service.vetting_status != VettingStatus.VETTED.value:
        return str(service.vetting_status)
    if service.status in HIDDEN_SERVICE_STATUSES:
        return str(service.status)
    if service.last_verified_at is None or service.last_verified_at < view.hidden_before:
        return "hidden"
    return None


def service_changes(
    session: Session,
    *,
    view: PublicView,
    since: datetime,
    stale_after_days: int,
    hide_after_days: int,
    public_ids: Iterable[uuid.UUID] | None = None,
) -> list[Change]:
    """Return every service whose public version changed on or after `since`, oldest change first.

    `public_ids`, when given, limits the public changes to those services (the caller's filters);
    tombstones are always all included.
    """
    stale_window = (since - timedelta(days=stale_after_days), view.now - timedelta(days=stale_after_days))
    hide_window_start = since - timedelta(days=hide_after_days) - 2 * DAY
    candidates = session.execute(
        select(
            Service.id,
            Service.name,
            Service.modified,
            Service.last_verified_at,
            Service.vetted_at,
            Service.withdrawn_at,
            Service.vetting_status,
            Service.status,
        ).where(
            or_(Service.vetted_at.is_not(None), Service.vetting_status == VettingStatus.VETTED.value),
            or_(
                Service.modified >= since,
                and_(
                    Service.last_verified_at >= stale_window[0], Service.last_verified_at <= stale_window[1]
                ),
                and_(Service.vetted_at >= stale_window[0], Service.vetted_at <= stale_window[1]),
                and_(
                    Service.last_verified_at >= hide_window_start,
                    Service.last_verified_at < view.hidden_before,
                ),
            ),
        )
    )
    allowed = set(public_ids) if public_ids is not None else None
    changes = []
    for service in candidates:
        reason = _removal_reason(service, view)
        moments = [service.modified]
        if reason is None:
            if allowed is not None and service.id not in allowed:
                continue
            fresh = fresh_since(service)
            if fresh is not None:
                turned_stale = fresh + timedelta(days=stale_after_days)
                if turned_stale <= view.now:
                    moments.append(turned_stale)
        elif reason == "hidden" and service.last_verified_at is not None:
            moments.append(hidden_at(service.last_verified_at, hide_after_days))
        changed_at = max((moment for moment in moments if moment <= view.now), default=service.modified)
        if changed_at >= since:
            changes.append(Change(service.id, changed_at, reason, name=service.name))
    return sorted(changes, key=lambda change: (change.changed_at, str(change.id)))


def service_at_location_changes(
    session: Session, *, service_changes_: Sequence[Change], since: datetime
) -> list[Change]:
    """Return the service-at-location changes implied by service changes, plus deleted links."""
    by_service = {change.id: change for change in service_changes_}
    changes = []
    if by_service:
        rows = session.execute(
            select(ServiceAtLocation.id, ServiceAtLocation.service_id).where(
                ServiceAtLocation.service_id.in_(list(by_service))
            )
        )
        for link_id, service_id in rows:
            change = by_service[service_id]
            changes.append(Change(link_id, change.changed_at, change.removed, service=change))
    deleted = session.execute(
        select(AuditEvent.entity_id, AuditEvent.occurred_at).where(
            AuditEvent.entity_type == "service_at_location",
            AuditEvent.action == "delete",
            AuditEvent.occurred_at >= since,
        )
    )
    changes += [Change(uuid.UUID(entity_id), occurred_at, "deleted") for entity_id, occurred_at in deleted]
    return sorted(changes, key=lambda change: (change.changed_at, str(change.id)))


def page_after(
    changes: Sequence[Change], *, cursor: str | None, size: int, page_number: int = 1
) -> tuple[list[Change], str | None, int]:
    """Return one page of changes (at most `size`), the next cursor if any, and how many precede.

    The page starts after `cursor` when one is given, else at page `page_number` of `size` changes.
    """
    if cursor:
        moment, record_id = parse_cursor(cursor)
        key = (moment, str(record_id))
        remaining = [change for change in changes if (change.changed_at, str(change.id)) > key]
    else:
        remaining = list(changes[min(len(changes), (page_number - 1) * size) :])
    page = remaining[:size]
    return page, (page[-1].cursor if len(remaining) > size else None), len(changes) - len(remaining)
