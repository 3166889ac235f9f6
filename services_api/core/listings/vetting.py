"""The operator's decisions (approve, reject, suspend), the review queue and the stale report."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services_api.core.directory.reads import Page
from services_api.core.directory.visibility import PublicView, stale_filter
from services_api.core.hsds.documents import HSDSImportError, upsert_one
from services_api.core.listings.audit import Actor
from services_api.core.listings.editing import (
    EditResult,
    InvalidFieldsError,
    Kind,
    NotAllowedError,
    act_on_record,
    act_on_service,
    pending_change,
)
from services_api.core.listings.held_changes import decide, showing_services
from services_api.core.seeding.demo import load_json
from services_api.models import Location, Organization, ProposedChange, Service, VettingStatus, utcnow


@functools.cache
def vetting_criteria() -> tuple[dict[str, Any], ...]:
    """Return the published vetting criteria (seed_data/vetting_criteria.json), each with a `code`."""
    return tuple(load_json("vetting_criteria.json"))


def mandatory_codes() -> set[str]:
    """Return the codes an approval must attest."""
    return {item["code"] for item in vetting_criteria() if item.get("mandatory")}


def _check_criteria(criteria: Sequence[str]) -> None:
    known = {item["code"] for item in vetting_criteria()}
    problems = {}
    unknown = sorted(set(criteria) - known)
    missing = sorted(mandatory_codes() - set(criteria))
    if unknown:
        problems["/criteria"] = f"unknown criteria: {', '.join(unknown)}"
    elif missing:
        problems["/criteria"] = f"every mandatory criterion must be attested; missing: {', '.join(missing)}"
    if problems:
        raise InvalidFieldsError(problems)


def approve(
    session: Session,
    *,
    kind: Kind,
    actor: Actor,
    service: Service,
    note: str | None,
    criteria: Sequence[str],
    view: PublicView,
) -> EditResult:
    """Vet a service (or apply its held change), recording the attested criteria; it is public at once."""
    _check_criteria(criteria)
    if service.withdrawn_at is not None:
        raise NotAllowedError("A withdrawn service cannot be approved.")
    change = pending_change(session, service)
    if change is None and service.vetting_status == VettingStatus.VETTED.value:
        raise NotAllowedError("This service is already vetted and has no change waiting.")

    def apply() -> str:
        if change is not None:
            _apply_change(session, kind, service, change)
            decide(change, "approved", note)
        now = utcnow()
        service.vetting_status = VettingStatus.VETTED.value
        service.vetted_at = now
        service.vetted_by = str(actor.key_id) if actor.key_id else actor.role
        service.vetting_criteria = sorted(set(criteria))
        service.vetting_notes = note
        service.last_verified_at = now
        service.assured_date = now.date()
        return "approve"

    return act_on_service(session, kind=kind, actor=actor, service=service, view=view, apply=apply, note=note)


def reject(
    session: Session, *, kind: Kind, actor: Actor, service: Service, note: str | None, view: PublicView
) -> EditResult:
    """Reject a held change (the listing stays as approved), or a pending or suspended listing for good."""
    change = pending_change(session, service)
    rejectable = (VettingStatus.PENDING.value, VettingStatus.SUSPENDED.value)
    if change is None and service.vetting_status not in rejectable:
        raise NotAllowedError(
            "Only a pending or suspended service, or a held change, can be rejected; suspend a vetted one."
        )

    def apply() -> str:
        if change is not None:
            decide(change, "rejected", note)
            return "reject_change"
        service.vetting_status = VettingStatus.REJECTED.value
        service.vetting_notes = note
        return "reject"

    return act_on_service(session, kind=kind, actor=actor, service=service, view=view, apply=apply, note=note)


def suspend(
    session: Session, *, kind: Kind, actor: Actor, service: Service, note: str | None, view: PublicView
) -> EditResult:
    """Take a vetted service out of public output from the next request on."""
    if service.vetting_status != VettingStatus.VETTED.value:
        raise NotAllowedError("Only a vetted service can be suspended.")

    def apply() -> str:
        service.vetting_status = VettingStatus.SUSPENDED.value
        service.vetting_notes = note
        return "suspend"

    return act_on_service(session, kind=kind, actor=actor, service=service, view=view, apply=apply, note=note)


def decide_held_change(
    session: Session,
    kind: Kind,
    actor: Actor,
    record: Any,
    *,
    approved: bool,
    note: str | None,
    view: PublicView,
) -> EditResult:
    """Approve (apply) or reject the change held on a location's or service-at-location's safety claims."""
    change = pending_change(session, record)
    if change is None:
        raise NotAllowedError(f"This {kind.name} has no change waiting.")

    def apply() -> str:
        if approved:
            _apply_change(session, kind, record, change)
            decide(change, "approved", note)
            return "approve_change"
        decide(change, "rejected", note)
        return "reject_change"

    return act_on_record(session, kind, actor, record, view, apply, note)


def _apply_change(session: Session, kind: Kind, record: Any, change: ProposedChange) -> None:
    doc = {"id": str(record.id), **change.changes}
    try:
        upsert_one(session, node=kind.node, doc=doc, trusted=True)
    except HSDSImportError as error:
        raise NotAllowedError(f"The held change no longer applies: {error}") from None


@dataclass(frozen=True)
class QueueItem:
    """One thing waiting for the operator: a pending listing, or a held change to a record the public sees.

    `service` is the listing (or the service changed); `location` is the location changed, with
    `shown_by` the vetted services whose public documents show it.
    """

    kind: str
    service: Service | None
    change: ProposedChange | None
    location: Location | None = None
    shown_by: tuple[Service, ...] = ()


def review_queue(session: Session, *, page: int, per_page: int) -> Page[QueueItem]:
    """Return one page of what waits for the operator: pending listings, then held changes, oldest first."""
    pending = select(Service).where(
        Service.vetting_status == VettingStatus.PENDING.value, Service.withdrawn_at.is_(None)
    )
    changes = select(ProposedChange).where(ProposedChange.status == "pending")
    pending_count = session.scalar(select(func.count()).select_from(pending.subquery())) or 0
    change_count = session.scalar(select(func.count()).select_from(changes.subquery())) or 0
    start = (page - 1) * per_page
    items = [
        QueueItem("new_listing", service, None)
        for service in session.scalars(
            pending.order_by(Service.created, Service.id).offset(start).limit(per_page)
        )
    ]
    if len(items) < per_page:
        held = session.scalars(
            changes.order_by(ProposedChange.created, ProposedChange.id)
            .offset(max(start - pending_count, 0))
            .limit(per_page - len(items))
        )
        items += [_held_item(session, change) for change in held]
    return Page(items=items, total_items=pending_count + change_count, page_number=page, per_page=per_page)


def _held_item(session: Session, change: ProposedChange) -> QueueItem:
    if change.entity_type == "location":
        location = session.get_one(Location, change.entity_id)  # deleting a location closes its change
        return QueueItem(
            "proposed_change", None, change, location=location, shown_by=tuple(showing_services(location))
        )
    return QueueItem("proposed_change", session.get_one(Service, change.entity_id), change)


def stale_listings(
    session: Session, *, stale_after_days: int, partner_id: Any = None, page: int, per_page: int
) -> Page[Service]:
    """Return a page of vetted, live services neither confirmed nor vetted for `stale_after_days`."""
    query = select(Service).where(stale_filter(utcnow() - timedelta(days=stale_after_days)))
    if partner_id is not None:
        query = query.where(Service.organization_id == partner_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordered = query.join(Organization).order_by(Organization.name, Service.name, Service.id)
    items = list(session.scalars(ordered.offset((page - 1) * per_page).limit(per_page)))
    return Page(items=items, total_items=total, page_number=page, per_page=per_page)
