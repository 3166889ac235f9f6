"""A partner's import holds the safety claims it makes on records the public sees, as PATCH does.

The file's attribute rows for a vetted service, or for a location a live vetted service is
delivered at (already, or from this import's service-at-location rows on), are taken out of the
tables before they are imported. Each such record gets a proposed change instead: its stored
attributes with the file's added or updated, checked in full now. A location the import puts
into a vetted listing for the first time also has its stored claims taken off until approved.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from services_api.core.actors import Actor
from services_api.core.hsds.documents import LOCATION_NODE, SERVICE_NODE, children_problems
from services_api.core.hsds.stored_records import stored_record
from services_api.core.hsds.tables import Tables
from services_api.core.listings.audit import record_event
from services_api.core.listings.held_changes import (
    ATTRIBUTE_FIELDS,
    claims,
    is_live_vetted,
    propose,
    showing_services,
)
from services_api.core.listings.ownership import owning_organization
from services_api.models import Location, ProposedChange, Service

HOLDERS: dict[str, type[Any]] = {"service": Service, "location": Location}
NODES = {"service": SERVICE_NODE, "location": LOCATION_NODE}


@dataclass
class HeldClaims:
    """The claims an import proposes for one record, and whether its stored ones come off meanwhile."""

    table: str
    record_id: uuid.UUID
    attributes: list[dict[str, Any]]
    withhold_stored: bool


def hold_imported_claims(
    session: Session, *, tables: Tables, partner_id: uuid.UUID
) -> tuple[list[HeldClaims], dict[str, str]]:
    """Take the held records' attribute rows out of `tables`; return what to propose and the problems."""
    held_records = _held_records(session, tables, partner_id)
    rows_by_holder: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for attribute_id, row in tables.rows.get("attribute", {}).items():
        holder = _holder_of(session, tables, row)
        if holder in held_records:
            rows_by_holder.setdefault(holder, []).append((attribute_id, row))
    held: list[HeldClaims] = []
    problems: dict[str, str] = {}
    for (table, record_id), withhold_stored in sorted(held_records.items()):
        stored = _stored(session, HOLDERS[table], record_id)
        current = _attribute_documents(stored)
        rows = rows_by_holder.get((table, record_id), [])
        proposed = _merged(current, rows)
        if not withhold_stored and claims(proposed) == claims(current):
            continue  # nothing the public would see differently: imported as it is
        for attribute_id, _row in rows:
            del tables.rows["attribute"][attribute_id]
        if not withhold_stored and not rows:
            continue
        problems.update(
            _located(
                tables,
                proposed,
                children_problems(session, node=NODES[table], key="attributes", docs=proposed),
            )
        )
        held.append(HeldClaims(table, uuid.UUID(record_id), proposed, withhold_stored))
    return held, problems


def propose_imported_claims(
    session: Session, *, actor: Actor, held: list[HeldClaims]
) -> list[ProposedChange]:
    """Propose the held claims (once the import's records are prepared); take withheld ones off."""
    changes = []
    with session.no_autoflush:
        for item in held:
            record = _prepared(session, item)
            change = propose(session, actor=actor, record=record, changes={"attributes": item.attributes})
            if item.withhold_stored:
                record.attributes = []
            record_event(
                session,
                actor=actor,
                action="propose_change",
                entity_type=item.table,
                entity_id=item.record_id,
                changes=dict(change.changes),
            )
            changes.append(change)
    return changes


def _held_records(session: Session, tables: Tables, partner_id: uuid.UUID) -> dict[tuple[str, str], bool]:
    """The partner's records whose claims this import may only propose: (table, id) -> withhold stored."""
    held: dict[tuple[str, str], bool] = {}
    for table, model in HOLDERS.items():
        ids = set(tables.rows.get(table, {})) | {
            str(row.get("link_id"))
            for row in tables.rows.get("attribute", {}).values()
            if row.get("link_entity") in (None, "", table)
        }
        for record_id in ids:
            record = _stored(session, model, record_id)
            if (
                record is not None
                and owning_organization(session, record=record) == partner_id
                and showing_services(record)
            ):
                held[(table, record_id)] = False
    for row in tables.rows.get("service_at_location", {}).values():
        service = _stored(session, Service, str(row.get("service_id")))
        location_id = str(row.get("location_id"))
        if not is_live_vetted(service) or ("location", location_id) in held:
            continue
        location = _stored(session, Location, location_id)
        if location is None:
            if location_id in tables.rows.get("location", {}) and _valid(location_id):
                held[("location", location_id)] = False  # a new place of a vetted listing
            continue
        if owning_organization(session, record=location) != partner_id:
            continue
        if not any(is_live_vetted(link.service) for link in location.service_at_locations):
            held[("location", location_id)] = True
    return held


def _holder_of(session: Session, tables: Tables, row: dict[str, Any]) -> tuple[str, str] | None:
    link_id = str(row.get("link_id"))
    entity = row.get("link_entity")
    for table, model in HOLDERS.items():
        if entity not in (None, "", table):
            continue
        if link_id in tables.rows.get(table, {}) or _stored(session, model, link_id) is not None:
            return table, link_id
    return None


def _attribute_documents(record: Any) -> list[dict[str, Any]]:
    if record is None:
        return []
    return [{name: _plain(getattr(item, name)) for name in ATTRIBUTE_FIELDS} for item in record.attributes]


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


def _merged(current: list[dict[str, Any]], rows: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """The stored attributes with the file's rows: same id updates, a new id adds (files never remove)."""
    merged = {str(item["id"]): dict(item) for item in current}
    for attribute_id, row in rows:
        given = {name: row[name] for name in ATTRIBUTE_FIELDS if row.get(name) not in (None, "")}
        merged[attribute_id] = {**merged.get(attribute_id, {}), **given, "id": attribute_id}
        if "taxonomy_term_id" in row and row["taxonomy_term_id"] in (None, ""):
            merged[attribute_id].pop("taxonomy_term_id", None)
    return list(merged.values())


def _located(tables: Tables, proposed: list[dict[str, Any]], problems: dict[str, str]) -> dict[str, str]:
    """Name each problem of a proposal where it is in the file (the attribute's row), by JSON pointer else."""
    located = {}
    for pointer, message in problems.items():
        parts = pointer.strip("/").split("/")
        if (
            len(parts) >= 3
            and parts[0] == "attributes"
            and parts[1].isdigit()
            and int(parts[1]) < len(proposed)
        ):
            attribute_id = str(proposed[int(parts[1])].get("id"))
            origin = tables.origins.get(("attribute", attribute_id), "attribute")
            located[f"{origin}/{'/'.join(parts[2:])}"] = message
        else:
            located[pointer] = message
    return located


def _prepared(session: Session, item: HeldClaims) -> Any:
    """The record as the import prepared it: new ones wait in the session, not yet in its identity map."""
    model = HOLDERS[item.table]
    for record in session.new:
        if isinstance(record, model) and record.id == item.record_id:
            return record
    record = stored_record(session, model=model, record_id=item.record_id)
    if record is None:
        raise RuntimeError(f"the import prepared no {item.table} {item.record_id}")
    return record


def _valid(record_id: str) -> bool:
    try:
        uuid.UUID(record_id)
    except ValueError:
        return False
    return True


def _stored(session: Session, model: type[Any], record_id: str) -> Any:
    try:
        return stored_record(session, model=model, record_id=uuid.UUID(record_id))
    except ValueError:
        return None
