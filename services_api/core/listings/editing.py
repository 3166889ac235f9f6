"""Partner and operator edits to listings: scoped to the owner, validated, versioned and audited.

A listing is edited as its HSDS document (the same field names the public API uses). POST creates,
PUT replaces (absent fields are cleared), PATCH merges top-level fields into the stored document.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeAlias

from geopy.geocoders.base import Geocoder
from marshmallow import Schema
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services_api.core.actors import Actor
from services_api.core.directory.visibility import PublicView
from services_api.core.errors import InvalidFieldsError, NotAllowedError
from services_api.core.geocoding.gazetteer import GazetteerGeocoder
from services_api.core.geocoding.placement import UNPLACED, place_document
from services_api.core.hsds.documents import (
    LOCATION_NODE,
    SERVICE_AT_LOCATION_NODE,
    SERVICE_NODE,
    HSDSImportError,
    Node,
    children_problems,
    foreign_children,
    server_set_fields,
    unknown_children,
    upsert_one,
)
from services_api.core.listings.audit import field_changes, record_event
from services_api.core.listings.held_changes import (
    HELD_FIELDS,
    changed_claims,
    claims_held,
    decide,
    is_live_vetted,
    pending_change_of,
    propose,
    withhold_location_claims,
)
from services_api.core.listings.ownership import parent_problems
from services_api.models import (
    Location,
    Organization,
    ProposedChange,
    Report,
    Service,
    ServiceAtLocation,
    utcnow,
)
from services_api.schemas.admin import (
    AdminLocationSchema,
    AdminServiceAtLocationSchema,
    AdminServiceSchema,
    held_changes,
)
from services_api.schemas.hsds import public_context

VETTING_FIELDS = frozenset(
    {"vetting_status", "vetted_at", "vetted_by", "vetting_criteria", "vetting_notes", "next_review_due"}
)
COMPUTED_FIELDS = frozenset(
    {"version", "last_modified", "pending_change", "open_reports", "public", "stale"}
    | {"needs_confirmation", "warnings"}
)
COORDINATE_LIMITS = {"latitude": 90.0, "longitude": 180.0}
Locator: TypeAlias = Geocoder | Callable[..., Any]


def service_review_state(session: Session, service: Service) -> dict[str, Any]:
    """Return what the admin document of a service adds: how many public reports about it are open."""
    return {"open_reports": open_report_count(session, service)}


@dataclass(frozen=True)
class Kind:
    """One editable kind of record: its model, import tree, admin document and the rules around it.

    The admin document (`schema`, plus `review_state` where the kind has one) is what clients read
    and send back; edits are checked and audited against it. The flags say what differs per kind.
    """

    name: str
    model: type[Any]
    node: Node
    schema: Schema
    read_only: frozenset[str]
    owner_of: Callable[[Any], uuid.UUID | None]
    nested_elsewhere: frozenset[str] = frozenset()
    review_state: Callable[[Session, Any], dict[str, Any]] | None = None
    # Owned through its own organization_id (a service-at-location is owned through its service).
    owned_directly: bool = True
    # Joins a service to a location, both of which must be the caller's.
    joins_service_and_location: bool = False
    # Has an address placed on the map, and may be confidential.
    placed_on_map: bool = False
    # Values every new record of the kind starts with, besides its owner.
    created_with: Mapping[str, Any] = field(default_factory=dict)


EDITED_SERVICE_NODE = replace(
    SERVICE_NODE,
    children={key: child for key, child in SERVICE_NODE.children.items() if key != "service_at_locations"},
)

SERVICES = Kind(
    name="service",
    model=Service,
    node=EDITED_SERVICE_NODE,
    read_only=VETTING_FIELDS
    | {"withdrawn_at", "last_verified_at", "assured_date", "assurer_email", "version", "public"}
    | {"pending_change", "open_reports", "stale", "last_modified", "organization"},
    owner_of=lambda service: service.organization_id,
    nested_elsewhere=frozenset({"service_at_locations"}),
    schema=AdminServiceSchema(),
    review_state=service_review_state,
    created_with={"vetting_status": "pending"},
)
LOCATIONS = Kind(
    name="location",
    model=Location,
    node=LOCATION_NODE,
    read_only=frozenset({"version", "geocode_precision", "needs_confirmation", "warnings", "pending_change"}),
    owner_of=lambda location: location.organization_id,
    schema=AdminLocationSchema(),
    placed_on_map=True,
)
SERVICE_AT_LOCATIONS = Kind(
    name="service_at_location",
    model=ServiceAtLocation,
    node=SERVICE_AT_LOCATION_NODE,
    read_only=frozenset({"version", "location", "service", "pending_change"}),
    owner_of=lambda link: link.service.organization_id if link.service else None,
    schema=AdminServiceAtLocationSchema(),
    owned_directly=False,
    joins_service_and_location=True,
)


@dataclass
class EditResult:
    """What an edit did: the record, its admin document, and a change held for the operator if any."""

    record: Any
    document: dict[str, Any]
    held: ProposedChange | None = None
    changed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def find_owned(session: Session, *, kind: Kind, actor: Actor, record_id: uuid.UUID) -> Any | None:
    """Return the record if it exists and the actor may see it (a partner sees only its own)."""
    record = session.get(kind.model, record_id)
    if record is None:
        return None
    if not actor.is_operator and kind.owner_of(record) != actor.partner_id:
        return None
    return record


def describe(session: Session, *, kind: Kind, record: Any, view: PublicView) -> dict[str, Any]:
    """Return the admin document of a record, as the API shows it."""
    with public_context(view), held_changes(lambda shown: pending_change(session, shown)):
        document: dict[str, Any] = kind.schema.dump(record)
    if kind.review_state is not None:
        document.update(kind.review_state(session, record))
    return document


def open_report_count(session: Session, service: Service) -> int:
    """Count the public reports about this service still open."""
    query = select(func.count(Report.id)).where(Report.service_id == service.id, Report.status == "open")
    return int(session.scalar(query) or 0)


def pending_change(session: Session, record: Any) -> ProposedChange | None:
    """Return the change to this record's safety claims that waits for the operator, if any."""
    return pending_change_of(session, entity_type=record.__tablename__, entity_id=record.id)


def create(
    session: Session, *, kind: Kind, actor: Actor, doc: Any, view: PublicView, geocoder: Locator | None = None
) -> EditResult:
    """Create a record from its document; a partner's records belong to its organisation."""
    doc = _as_document(doc)
    problems = _refused_fields(kind, doc, current=None)
    if "id" in doc:
        problems["/id"] = "is assigned by the server; leave it out"
    problems.update(unknown_children(kind.node, doc, None))
    owner = _owner_for_new(session, kind, actor, doc, problems)
    if problems:
        raise InvalidFieldsError(problems)
    doc = _with_child_ids({**doc, "id": str(uuid.uuid4())}, kind.node)
    fixed = _fixed_values(kind, owner)
    _check_links(session, kind, actor, doc, None)
    _check_nested_parents(session, kind, doc, owner or _organization_of(session, kind, doc, None), None)
    if kind.placed_on_map:
        _refuse_impossible_coordinates(doc)
        _place_location(session, doc, geocoder, sent=doc, stored=None)
    newly_shown = _newly_shown_location(session, kind, doc, None)
    record, _ = _upsert(session, kind, doc, fixed)
    _touch_services_shown_with(record)
    document = describe(session, kind=kind, record=record, view=view)
    record_event(
        session,
        actor=actor,
        action="create",
        entity_type=kind.name,
        entity_id=record.id,
        changes=audited_changes({}, document),
    )
    held = _withhold_newly_shown(session, actor, newly_shown)
    if held is not None:
        document = describe(session, kind=kind, record=record, view=view)
    return EditResult(record, document, held=held, changed=True)


def update(
    session: Session,
    *,
    kind: Kind,
    actor: Actor,
    record: Any,
    doc: Any,
    view: PublicView,
    partial: bool,
    geocoder: Locator | None = None,
) -> EditResult:
    """Replace (PUT) or merge into (PATCH) a record; hold a vetted service's safety claims for review."""
    doc = _as_document(doc)
    before = describe(session, kind=kind, record=record, view=view)
    problems = _refused_fields(kind, doc, current=before)
    if "id" in doc and str(doc["id"]) != str(record.id):
        problems["/id"] = "does not match the record in the path"
    problems.update(_ownership_change(session, kind, actor, record, doc))
    if problems:
        raise InvalidFieldsError(problems)
    editable = {key: value for key, value in doc.items() if key not in kind.read_only | kind.nested_elsewhere}
    if partial:
        kept = kind.read_only | kind.nested_elsewhere
        merged = {key: value for key, value in before.items() if key not in kept}
        merged.update(editable)
        editable = merged
    else:
        editable = _cleared_absent(kind, editable)
    unknown = unknown_children(kind.node, editable, record)
    if unknown:
        raise InvalidFieldsError(unknown)
    editable = _with_child_ids({**editable, "id": str(record.id)}, kind.node)
    _check_links(session, kind, actor, editable, record)
    _check_nested_parents(session, kind, editable, _organization_of(session, kind, editable, record), record)
    editable, held = _hold_safety_claims(session, kind, actor, record, before, editable)
    if kind.placed_on_map:
        _guard_confidentiality(actor, record, editable)
        _refuse_impossible_coordinates(editable)
        _place_location(session, editable, geocoder, sent=doc, stored=record)
    newly_shown = _newly_shown_location(session, kind, editable, record)
    record, changed = _upsert(session, kind, editable, None)
    if changed or held is not None:
        _touch(record)
        _touch_services_shown_with(record)
        session.flush()
    after = describe(session, kind=kind, record=record, view=view)
    changes = audited_changes(before, after)
    if changes:
        record_event(
            session, actor=actor, action="update", entity_type=kind.name, entity_id=record.id, changes=changes
        )
    if held is not None:
        record_event(
            session,
            actor=actor,
            action="propose_change",
            entity_type=kind.name,
            entity_id=record.id,
            changes=held.changes,
        )
    shown_held = _withhold_newly_shown(session, actor, newly_shown)
    if shown_held is not None:
        held = held or shown_held
        after = describe(session, kind=kind, record=record, view=view)
    return EditResult(record, after, held=held, changed=bool(changes))


def act_on_record(
    session: Session,
    *,
    kind: Kind,
    actor: Actor,
    record: Any,
    view: PublicView,
    apply: Callable[[], str],
    note: str | None = None,
) -> EditResult:
    """Apply one state change to a record (`apply` returns the action's name), then version and audit it."""
    before = describe(session, kind=kind, record=record, view=view)
    action = apply()
    _touch(record)
    _touch_services_shown_with(record)
    session.flush()
    after = describe(session, kind=kind, record=record, view=view)
    record_event(
        session,
        actor=actor,
        action=action,
        entity_type=kind.name,
        entity_id=record.id,
        changes=audited_changes(before, after),
        note=note,
    )
    return EditResult(record, after, changed=True)


def withdraw(session: Session, *, kind: Kind, actor: Actor, service: Service, view: PublicView) -> EditResult:
    """Take a service out of public output at once; it stays stored for the audit log and sync."""
    if service.withdrawn_at is not None:
        raise NotAllowedError("This service is already withdrawn.")

    def apply() -> str:
        service.withdrawn_at = utcnow()
        return "withdraw"

    return act_on_record(session, kind=kind, actor=actor, record=service, view=view, apply=apply)


def confirm(session: Session, *, kind: Kind, actor: Actor, service: Service, view: PublicView) -> EditResult:
    """Mark a service as checked today by its provider (it is fresh again)."""
    if service.withdrawn_at is not None:
        raise NotAllowedError("A withdrawn service cannot be confirmed; create it again instead.")

    def apply() -> str:
        service.last_verified_at = utcnow()
        return "confirm"

    return act_on_record(session, kind=kind, actor=actor, record=service, view=view, apply=apply)


def delete(session: Session, *, kind: Kind, actor: Actor, record: Any, view: PublicView) -> None:
    """Delete a location or service-at-location; the audit log keeps what it held."""
    if isinstance(record, Location) and record.service_at_locations:
        raise NotAllowedError("Services are still delivered here; delete those service_at_locations first.")
    before = describe(session, kind=kind, record=record, view=view)
    held = pending_change(session, record)
    if held is not None:
        decide(held, status="rejected", note=f"The {kind.name} was deleted.")
    _touch_services_shown_with(record)
    session.delete(record)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="delete",
        entity_type=kind.name,
        entity_id=before["id"],
        changes=audited_changes(before, {}),
    )


def audited_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Return the field changes worth auditing: stored fields, not ones derived on output."""
    kept_before = {key: value for key, value in before.items() if key not in COMPUTED_FIELDS}
    kept_after = {key: value for key, value in after.items() if key not in COMPUTED_FIELDS}
    return field_changes(kept_before, kept_after)


def _touch(record: Any) -> None:
    """Write the record's row so its version moves even when only nested records changed."""
    record.modified = utcnow()


def _touch_services_shown_with(record: Any) -> None:
    """Mark the services whose public document shows this place or link as changed (for sync deltas)."""
    if isinstance(record, ServiceAtLocation) and record.service is not None:
        _touch(record.service)
    elif isinstance(record, Location):
        for link in record.service_at_locations:
            _touch(link.service)
            _touch(link)


def _as_document(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, Mapping):
        raise InvalidFieldsError({"/": "must be a JSON object"})
    return dict(doc)


def _refused_fields(kind: Kind, doc: Mapping[str, Any], current: Mapping[str, Any] | None) -> dict[str, str]:
    """Name the fields a client may not set: read-only ones whose value differs from the stored one."""
    problems = server_set_fields(kind.node, doc)
    for name in HELD_FIELDS:
        if doc.get(name) and name not in kind.node.children:  # stored nowhere: refused, not dropped
            problems[f"/{name}"] = f"a {kind.name} has none here: give them to its service or its location"
    for name in sorted(kind.read_only | kind.nested_elsewhere):
        if name not in doc:
            continue
        stored = current.get(name) if current is not None else None
        if doc[name] == stored or (current is None and doc[name] is None):
            continue
        if name in VETTING_FIELDS:
            problems[f"/{name}"] = "is set only by the operator, through /approve, /reject or /suspend"
        elif name in kind.nested_elsewhere:
            problems[f"/{name}"] = f"is managed through /api/v1/admin/{name}"
        else:
            problems[f"/{name}"] = "is read-only"
    return problems


def _owner_for_new(
    session: Session, kind: Kind, actor: Actor, doc: Mapping[str, Any], problems: dict[str, str]
) -> uuid.UUID | None:
    if not kind.owned_directly:
        return None
    requested = doc.get("organization_id")
    if not actor.is_operator:
        if requested is not None and str(requested) != str(actor.partner_id):
            problems["/organization_id"] = "must be your own organisation (or left out)"
        return actor.partner_id
    organization_id = _parse_uuid(requested)
    if organization_id is None or session.get(Organization, organization_id) is None:
        problems["/organization_id"] = "must be the id of an existing organisation"
    return organization_id


def _ownership_change(
    session: Session, kind: Kind, actor: Actor, record: Any, doc: Mapping[str, Any]
) -> dict[str, str]:
    if not kind.owned_directly or "organization_id" not in doc:
        return {}
    requested = _parse_uuid(doc["organization_id"])
    if requested == record.organization_id:
        return {}
    if not actor.is_operator:
        return {"/organization_id": "cannot be changed by a partner"}
    if requested is None or session.get(Organization, requested) is None:
        return {"/organization_id": "must be the id of an existing organisation"}
    return {}


def _fixed_values(kind: Kind, owner: uuid.UUID | None) -> dict[str, Any]:
    if not kind.owned_directly:
        return dict(kind.created_with)
    return {"organization_id": owner, **kind.created_with}


def _check_links(session: Session, kind: Kind, actor: Actor, doc: dict[str, Any], record: Any) -> None:
    """A service-at-location must join a service and a location of the same (own) organisation."""
    if not kind.joins_service_and_location:
        return
    problems = {}
    service = session.get(Service, _parse_uuid(doc.get("service_id"))) if doc.get("service_id") else None
    location = session.get(Location, _parse_uuid(doc.get("location_id"))) if doc.get("location_id") else None
    if service is None or (not actor.is_operator and service.organization_id != actor.partner_id):
        problems["/service_id"] = "must be the id of one of your services"
    if location is None or (not actor.is_operator and location.organization_id != actor.partner_id):
        problems["/location_id"] = "must be the id of one of your locations"
    # Only between records the actor may see: anything else would tell whose another id is.
    both_seen = not problems and service is not None and location is not None
    if both_seen and service.organization_id != location.organization_id:  # type: ignore[union-attr]
        problems["/location_id"] = "must belong to the same organisation as the service"
    if problems:
        raise InvalidFieldsError(problems)


def _organization_of(session: Session, kind: Kind, doc: Mapping[str, Any], record: Any) -> uuid.UUID | None:
    """Return the organisation the record will belong to once the document is written."""
    if not kind.owned_directly:
        service_id = _parse_uuid(doc.get("service_id"))
        service = session.get(Service, service_id) if service_id else None
        return service.organization_id if service is not None else None
    return _parse_uuid(doc.get("organization_id")) or getattr(record, "organization_id", None)


def _check_nested_parents(
    session: Session, kind: Kind, doc: Mapping[str, Any], organization_id: uuid.UUID | None, record: Any
) -> None:
    """Refuse nested records that are another record's, or whose parent ids point elsewhere (422)."""
    problems = foreign_children(session, node=kind.node, doc=doc, owner=record)
    problems.update(parent_problems(session, node=kind.node, doc=doc, organization_id=organization_id))
    if problems:
        raise InvalidFieldsError(problems)


def _cleared_absent(kind: Kind, doc: dict[str, Any]) -> dict[str, Any]:
    """For PUT: every editable field left out is cleared (lists emptied, values set to null)."""
    cleared = dict(doc)
    missing: dict[str, str] = {}
    for column in kind.model.__table__.columns:
        name = column.key
        if name in cleared or name in kind.read_only or column.primary_key:
            continue
        if name in {"organization_id", "service_id", "location_id"}:
            continue
        if not column.nullable:
            if column.default is None:
                missing[f"/{name}"] = "is required"
            continue
        if name.startswith("public_") or name in {"created", "modified", "search_text", "spatial_key"}:
            continue
        if name in VETTING_FIELDS or name in {"withdrawn_at", "last_verified_at", "row_version"}:
            continue
        cleared[name] = None
    if missing:
        raise InvalidFieldsError(missing)
    for key in kind.node.children:
        cleared.setdefault(key, [])
    return cleared


def _with_child_ids(doc: dict[str, Any], node: Node) -> dict[str, Any]:
    """Give every nested record without an id a new one, so clients can add children without ids."""
    doc = copy.deepcopy(doc)
    for key, child in node.children.items():
        items = doc.get(key)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if isinstance(item, Mapping):
                item = dict(item)
                item.setdefault("id", str(uuid.uuid4()))
                items[index] = _with_child_ids(item, child)
    return doc


def _hold_safety_claims(
    session: Session, kind: Kind, actor: Actor, record: Any, before: Mapping[str, Any], doc: dict[str, Any]
) -> tuple[dict[str, Any], ProposedChange | None]:
    """Split a partner's edit of a record the public sees: claims wait for the operator, the rest applies.

    The held claims are checked in full now (422 naming the field), so approving them cannot fail.
    """
    if not claims_held(actor, record) or not set(HELD_FIELDS) & kind.node.children.keys():
        return doc, None
    proposed = changed_claims(before, doc)
    if not proposed:
        return doc, None
    problems: dict[str, str] = {}
    for name, value in proposed.items():
        problems.update(children_problems(session, node=kind.node, key=name, docs=value))
    if problems:
        raise InvalidFieldsError(problems)
    return doc, propose(session, actor=actor, record=record, changes=proposed)


def _newly_shown_location(
    session: Session, kind: Kind, doc: Mapping[str, Any], record: Any
) -> Location | None:
    """Return the location a service-at-location write puts in a vetted listing for the first time."""
    if not kind.joins_service_and_location:
        return None
    service_id, location_id = _parse_uuid(doc.get("service_id")), _parse_uuid(doc.get("location_id"))
    service = session.get(Service, service_id) if service_id else None
    location = session.get(Location, location_id) if location_id else None
    if location is None or not is_live_vetted(service):
        return None
    if record is not None and record.location_id == location.id and is_live_vetted(record.service):
        return None
    others = [link for link in location.service_at_locations if record is None or link.id != record.id]
    if any(is_live_vetted(link.service) for link in others):
        return None
    return location


def _withhold_newly_shown(session: Session, actor: Actor, location: Location | None) -> ProposedChange | None:
    """Hold the claims of a location that a vetted listing shows from now on (the public sees it without)."""
    if location is None:
        return None
    change = withhold_location_claims(session, actor=actor, location=location)
    if change is not None:
        _touch(location)
        session.flush()
    return change


def _guard_confidentiality(actor: Actor, location: Location, doc: Mapping[str, Any]) -> None:
    if location.confidential and doc.get("confidential") is False and not actor.is_operator:
        raise InvalidFieldsError(
            {"/confidential": "only the operator can publish the address of a confidential location"}
        )


def _refuse_impossible_coordinates(doc: Mapping[str, Any]) -> None:
    """Refuse a latitude beyond 90 or a longitude beyond 180 degrees (files keep what they carry)."""
    problems = {}
    for name, limit in COORDINATE_LIMITS.items():
        value = doc.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool) and not -limit <= value <= limit:
            problems[f"/{name}"] = f"must be between {-limit:g} and {limit:g} degrees"
    if problems:
        raise InvalidFieldsError(problems)


def _place_location(
    session: Session, doc: dict[str, Any], geocoder: Locator | None, *, sent: Mapping[str, Any], stored: Any
) -> None:
    """Give a physical location without coordinates a point from its address, or refuse it."""
    if not place_document(doc, sent=sent, stored=stored, geocoder=geocoder or GazetteerGeocoder(session)):
        raise InvalidFieldsError({"/latitude": UNPLACED})


def _upsert(
    session: Session, kind: Kind, doc: Mapping[str, Any], fixed: Mapping[str, Any] | None
) -> tuple[Any, bool]:
    try:
        return upsert_one(session, node=kind.node, doc=doc, fixed=fixed)
    except HSDSImportError as error:
        raise InvalidFieldsError(error.problems) from None


def _parse_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None
