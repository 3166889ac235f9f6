"""The audit log: every write appends one event, in the same transaction as the write itself."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from services_api.core.actors import Actor
from services_api.core.paging import Page
from services_api.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Return {field: {before, after}} for every top-level field whose value differs."""
    changes = {}
    for name in sorted(set(before) | set(after)):
        old, new = _jsonable(before.get(name)), _jsonable(after.get(name))
        if old != new:
            changes[name] = {"before": old, "after": new}
    return changes


def record_event(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: Any,
    changes: Mapping[str, Any] | None = None,
    note: str | None = None,
) -> AuditEvent:
    """Append one event to the audit log (committed or rolled back with the write it describes)."""
    event = AuditEvent(
        actor_key_id=actor.key_id,
        actor_role=actor.role,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        changes=_jsonable(dict(changes or {})),
        note=note,
        request_id=actor.request_id,
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class AuditFilters:
    """Which events to list; every filter given must hold."""

    entity_id: str | None = None
    entity_type: str | None = None
    actor: uuid.UUID | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _filtered(query: Select[Any], filters: AuditFilters) -> Select[Any]:
    if filters.entity_id:
        query = query.where(AuditEvent.entity_id == filters.entity_id)
    if filters.entity_type:
        query = query.where(AuditEvent.entity_type == filters.entity_type)
    if filters.actor:
        query = query.where(AuditEvent.actor_key_id == filters.actor)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.since:
        query = query.where(AuditEvent.occurred_at >= filters.since)
    if filters.until:
        query = query.where(AuditEvent.occurred_at < filters.until)
    return query


def list_events(session: Session, filters: AuditFilters, *, page: int, per_page: int) -> Page[AuditEvent]:
    """Return one page of matching events, oldest first."""
    total = session.scalar(_filtered(select(func.count(AuditEvent.id)), filters)) or 0
    query = _filtered(select(AuditEvent), filters).order_by(AuditEvent.id)
    items = list(session.scalars(query.offset((page - 1) * per_page).limit(per_page)))
    return Page(items=items, total_items=total, page_number=page, per_page=per_page)
