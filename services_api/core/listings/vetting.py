"""The operator's decisions (approve, reject, suspend), the review queue and the stale report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from services_api.core.actors import Actor
from services_api.core.directory.visibility import PublicView, stale_filter
from services_api.core.errors import InvalidFieldsError, NotAllowedError
from services_api.core.hsds.documents import HSDSImportError, upsert_one
from services_api.core.listings.criteria import mandatory_codes, next_review, vetting_criteria
from services_api.core.listings.editing import EditResult, Kind, act_on_record, pending_change
from services_api.core.listings.held_changes import decide, showing_services
from services_api.core.listings.translations import HELD_KEY as HELD_TRANSLATIONS
from services_api.core.listings.translations import apply_held_translations
from services_api.core.paging import Page
from services_api.models import Location, Organization, ProposedChange, Service, VettingStatus, utcnow


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
    due = service.next_review_due is not None and service.next_review_due <= utcnow().date()
    if change is None and service.vetting_status == VettingStatus.VETTED.value and not due:
        raise NotAllowedError(
            "This service is already vetted, has no change waiting and is not due for review."
        )

    def apply() -> str:
        if change is not None:
            _apply_change(session, kind, service, change)
            decide(change, status="approved", note=note)
        now = utcnow()
        service.vetting_status = VettingStatus.VETTED.value
        service.vetted_at = now
        service.vetted_by = str(actor.key_id) if actor.key_id else actor.role
        service.vetting_criteria = sorted(set(criteria))
        service.vetting_notes = note
        service.last_verified_at = now
        service.assured_date = now.date()
        service.next_review_due = next_review(vetted_on=now.date(), criteria=service.vetting_criteria)
        return "approve"

    return act_on_record(session, kind=kind, actor=actor, record=service, view=view, apply=apply, note=note)


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
            decide(change, status="rejected", note=note)
            return "reject_change"
        service.vetting_status = VettingStatus.REJECTED.value
        service.vetting_notes = note
        return "reject"

    return act_on_record(session, kind=kind, actor=actor, record=service, view=view, apply=apply, note=note)


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

    return act_on_record(session, kind=kind, actor=actor, record=service, view=view, apply=apply, note=note)


def decide_held_change(
    session: Session,
    *,
    kind: Kind,
    actor: Actor,
    record: Any,
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
            decide(change, status="approved", note=note)
            return "approve_change"
        decide(change, status="rejected", note=note)
        return "reject_change"

    return act_on_record(session, kind=kind, actor=actor, record=record, view=view, apply=apply, note=note)


def _apply_change(session: Session, kind: Kind, record: Any, change: ProposedChange) -> None:
    changes = dict(change.changes)
    held_texts = changes.pop(HELD_TRANSLATIONS, None)
    if changes:
        try:
            upsert_one(session, node=kind.node, doc={"id": str(record.id), **changes}, trusted=True)
        except HSDSImportError as error:
            raise NotAllowedError(f"The held change no longer applies: {error}") from None
    if held_texts and isinstance(record, Service):
        apply_held_translations(session, service=record, held=held_texts)


@dataclass(frozen=True)
class QueueItem:
    """One thing waiting for the operator: a pending listing, a held change, or a listing due for review.

    `service` is the listing (or the service changed); `location` is the location changed, with
    `shown_by` the vetted services whose public documents show it.
    """

    kind: str
    service: Service | None
    change: ProposedChange | None
    location: Location | None = None
    shown_by: tuple[Service, ...] = ()


def review_queue(session: Session, *, page: int, per_page: int) -> Page[QueueItem]:
    """Return one page of what waits for the operator, oldest first in each part.

    First new listings, then held changes to vetted ones, then vetted listings whose review is due
    (`next_review_due`, set at approval from the criteria's review intervals).
    """
    live = Service.withdrawn_at.is_(None)
    parts: list[tuple[Select[Any], Callable[[Any], QueueItem]]] = [
        (
            select(Service)
            .where(Service.vetting_status == VettingStatus.PENDING.value, live)
            .order_by(Service.created, Service.id),
            lambda service: QueueItem("new_listing", service, None),
        ),
        (
            select(ProposedChange)
            .where(ProposedChange.status == "pending")
            .order_by(ProposedChange.created, ProposedChange.id),
            lambda change: _held_item(session, change),
        ),
        (
            select(Service)
            .where(
                Service.vetting_status == VettingStatus.VETTED.value,
                live,
                Service.next_review_due <= utcnow().date(),
            )
            .order_by(Service.next_review_due, Service.id),
            lambda service: QueueItem("review_due", service, None),
        ),
    ]
    start, total = (page - 1) * per_page, 0
    items: list[QueueItem] = []
    for query, to_item in parts:
        count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        wanted = per_page - len(items)
        if wanted > 0 and start < total + count:
            rows = session.scalars(query.offset(max(start - total, 0)).limit(wanted))
            items += [to_item(row) for row in rows]
        total += count
    return Page(items=items, total_items=total, page_number=page, per_page=per_page)


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
