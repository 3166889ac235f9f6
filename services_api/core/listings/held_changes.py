"""Safety claims wait for the operator: whose claims are held, holding them, and the held changes.

A safety claim is an attribute: a taxonomy term attached to a service or a location. Every
attribute is held, whichever taxonomy its term is from: the access & safety terms (women-only, no
information shared with police, no ID required) are what a sex worker relies on to stay safe, and a
category is a claim as well (a listing under "refuge" is where someone in danger goes); taxonomies
are extended by the operator, so a list of harmless ones would not stay right.

A record's claims are held once the public sees them through a vetted listing: a vetted service,
or a location a live vetted service is delivered at. Until then they are reviewed with the listing,
when the operator approves it. A location that a vetted service starts to be delivered at (a new
service-at-location) brings claims the operator has not seen: they are held from that moment.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_api.core.actors import Actor
from services_api.core.listings.audit import record_event
from services_api.models import Location, ProposedChange, Service, ServiceAtLocation, VettingStatus, utcnow

HELD_FIELDS = ("attributes",)
ATTRIBUTE_FIELDS = ("id", "taxonomy_term_id", "value", "link_type")


def is_live_vetted(service: Service | None) -> bool:
    """Whether the public sees this service: vetted and not withdrawn."""
    return (
        service is not None
        and service.vetting_status == VettingStatus.VETTED.value
        and service.withdrawn_at is None
    )


def showing_services(record: Any) -> list[Service]:
    """Return the vetted services whose public document shows this record's claims."""
    if isinstance(record, Service):
        return [record] if record.vetting_status == VettingStatus.VETTED.value else []
    if isinstance(record, Location):
        return [link.service for link in record.service_at_locations if is_live_vetted(link.service)]
    if isinstance(record, ServiceAtLocation):
        return [record.service] if is_live_vetted(record.service) else []
    return []


def claims_held(actor: Actor, record: Any) -> bool:
    """Whether this actor's changes to the record's claims wait for the operator."""
    return not actor.is_operator and bool(showing_services(record))


def pending_change_of(session: Session, *, entity_type: str, entity_id: uuid.UUID) -> ProposedChange | None:
    """Return the change to this record's claims that waits for the operator, if any."""
    return session.scalars(
        select(ProposedChange).where(
            ProposedChange.entity_type == entity_type,
            ProposedChange.entity_id == entity_id,
            ProposedChange.status == "pending",
        )
    ).first()


def claims(attributes: Any) -> set[tuple[str, str | None]]:
    """The claims a list of attributes makes: which terms, with which values."""
    if not isinstance(attributes, list):
        return set()
    return {
        (str(item.get("taxonomy_term_id")), item.get("value"))
        for item in attributes
        if isinstance(item, Mapping)
    }


def changed_claims(before: Mapping[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """Take the claim fields out of `doc`; return those that differ from `before` (the proposal)."""
    proposed = {name: doc.pop(name) for name in HELD_FIELDS if name in doc}
    return {name: value for name, value in proposed.items() if claims(value) != claims(before.get(name))}


def propose(session: Session, *, actor: Actor, record: Any, changes: dict[str, Any]) -> ProposedChange:
    """Hold `changes` to a record's claims for the operator (replacing a change already waiting)."""
    entity_type = record.__tablename__
    change = pending_change_of(session, entity_type=entity_type, entity_id=record.id)
    if change is None:
        change = ProposedChange(
            id=uuid.uuid4(),
            entity_type=entity_type,
            entity_id=record.id,
            service_id=record.id if isinstance(record, Service) else None,
            status="pending",
        )
        session.add(change)
    change.proposed_by = actor.key_id
    # Claims and held translations wait in one change: each part replaces only its own.
    change.changes = {**(change.changes or {}), **changes}
    change.created = utcnow()
    return change


def withhold_location_claims(session: Session, *, actor: Actor, location: Location) -> ProposedChange | None:
    """Hold the claims of a location a vetted service now shows for the first time, taking them off it.

    The public sees the location without them until the operator approves them. A change to its
    claims already waiting is kept (it is the partner's latest word).
    """
    if actor.is_operator or not location.attributes:
        return None
    current = [
        {name: _plain(getattr(item, name)) for name in ATTRIBUTE_FIELDS} for item in location.attributes
    ]
    change = pending_change_of(session, entity_type="location", entity_id=location.id)
    if change is None:
        change = propose(session, actor=actor, record=location, changes={"attributes": current})
    location.attributes = []
    record_event(
        session,
        actor=actor,
        action="propose_change",
        entity_type="location",
        entity_id=location.id,
        changes=dict(change.changes),
    )
    return change


def decide(change: ProposedChange, *, status: str, note: str | None) -> None:
    """Record the operator's decision on a held change."""
    change.status = status
    change.decided_at = utcnow()
    change.decision_note = note


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value
