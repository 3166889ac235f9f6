"""Who owns a record, and whether the parent ids inside a nested record agree with where it sits.

A nested record names its parents in columns (a phone's `service_id`, an attribute's `link_id`).
Where it sits in a document decides its parent; a column that names another one would silently move
the record there, possibly into another organisation's public listing. These rules refuse that.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from services_api.core.hsds.stored_records import stored_record
from services_api.models import (
    Attribute,
    Base,
    Contact,
    Location,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
)

# The columns that name the record a row hangs off, and the table each names.
PARENT_TABLES: dict[str, str] = {
    "organization_id": "organization",
    "service_id": "service",
    "location_id": "location",
    "service_at_location_id": "service_at_location",
    "contact_id": "contact",
    "phone_id": "phone",
}
PARENT_MODELS: dict[str, type[Base]] = {
    "organization": Organization,
    "service": Service,
    "location": Location,
    "service_at_location": ServiceAtLocation,
    "contact": Contact,
    "phone": Phone,
}
ATTRIBUTE_HOLDERS = ("service", "location")
MAX_DEPTH = 5


def parent_columns(model: type[Base]) -> tuple[str, ...]:
    """Return the columns of a model that name a parent record (an attribute's `link_id` included)."""
    names = [column.key for column in model.__table__.columns if column.key in PARENT_TABLES]
    if model is Attribute:
        names.append("link_id")
    return tuple(names)


def owning_organization(session: Session, *, record: Any, depth: int = 0) -> uuid.UUID | None:
    """Return the organisation a stored record belongs to, following its parent links."""
    if depth > MAX_DEPTH or record is None:
        return None
    if isinstance(record, Organization):
        return uuid.UUID(str(record.id))
    if isinstance(record, ServiceAtLocation):
        return owning_organization(
            session,
            record=stored_record(session, model=Service, record_id=record.service_id),
            depth=depth + 1,
        )
    if isinstance(record, Attribute):
        holder = PARENT_MODELS.get(record.link_entity)
        parent = (
            stored_record(session, model=holder, record_id=record.link_id) if holder is not None else None
        )
        return owning_organization(session, record=parent, depth=depth + 1)
    for column in PARENT_TABLES:
        parent_id = getattr(record, column, None)
        if parent_id is None:
            continue
        if column == "organization_id":
            return uuid.UUID(str(parent_id))
        parent = stored_record(session, model=PARENT_MODELS[PARENT_TABLES[column]], record_id=parent_id)
        return owning_organization(session, record=parent, depth=depth + 1)
    return None


def record_of_table(session: Session, *, table: str, value: Any) -> Any | None:
    """Return the stored record of this table with this id, or None (also for a malformed id)."""
    model = PARENT_MODELS.get(table)
    parsed = as_uuid(value)
    return (
        stored_record(session, model=model, record_id=parsed)
        if model is not None and parsed is not None
        else None
    )


def misplaced_parents(
    parent_table: str,
    parent_id: Any,
    set_by_parent: frozenset[str],
    doc: Mapping[str, Any],
) -> dict[str, str]:
    """Name the columns of a nested record that disagree with the parent it sits in, by column."""
    problems = {}
    for name in sorted(set_by_parent):
        value = doc.get(name)
        if value is None or value == "":
            continue
        if name == "link_entity":
            if value != parent_table:
                problems[name] = f"must be {parent_table!r} (or left out)"
        elif as_uuid(value) is None or as_uuid(value) != as_uuid(parent_id):
            problems[name] = f"must be this {parent_table}'s id (or left out)"
    return problems


def parent_problems(
    session: Session,
    *,
    node: Any,
    doc: Mapping[str, Any],
    organization_id: uuid.UUID | None,
    path: str = "",
) -> dict[str, str]:
    """Name (by JSON pointer) every parent id in the nested records of `doc` that is not allowed.

    A column that links a record to the one it sits in must be left out, null, or that record's id;
    any other parent column must keep its stored value or name a record of `organization_id`.
    """
    problems: dict[str, str] = {}
    relationships = inspect(node.model).relationships
    for key, child in node.children.items():
        items = doc.get(key)
        if not isinstance(items, list) or key not in relationships:
            continue
        set_by_parent = frozenset(column.key for column in relationships[key].remote_side)
        for index, item in enumerate(items):
            if not isinstance(item, Mapping):
                continue
            where = f"{path}/{key}/{index}"
            misplaced = misplaced_parents(node.model.__tablename__, doc.get("id"), set_by_parent, item)
            problems.update({f"{where}/{name}": message for name, message in misplaced.items()})
            for name in parent_columns(child.model):
                if name in set_by_parent or name in misplaced:
                    continue
                if not _may_name(session, child.model, item, name, organization_id):
                    target = PARENT_TABLES.get(name, "service or location")
                    problems[f"{where}/{name}"] = (
                        f"must be the id of a {target} of this organisation (or left out)"
                    )
            problems.update(
                parent_problems(session, node=child, doc=item, organization_id=organization_id, path=where)
            )
    return problems


def _may_name(
    session: Session,
    model: type[Base],
    item: Mapping[str, Any],
    name: str,
    organization_id: uuid.UUID | None,
) -> bool:
    """Whether a parent column other than the direct link may hold the value the document gives it."""
    value = item.get(name)
    if value is None or value == "":
        return True
    record_id = as_uuid(item.get("id"))
    stored = stored_record(session, model=model, record_id=record_id) if record_id is not None else None
    if stored is not None and as_uuid(value) == getattr(stored, name):
        return True
    if name == "link_id":
        tables: tuple[str, ...] = (
            (item["link_entity"],) if item.get("link_entity") in ATTRIBUTE_HOLDERS else ATTRIBUTE_HOLDERS
        )
    else:
        tables = (PARENT_TABLES[name],)
    for table in tables:
        record = record_of_table(session, table=table, value=value)
        if record is not None and organization_id is not None:
            return owning_organization(session, record=record) == organization_id
    return False


def as_uuid(value: Any) -> uuid.UUID | None:
    """Return the value as a UUID, or None when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None
