"""Reports from the public about a listing: anonymous, moderated by the operator, seen by the owner."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services_api.core.actors import Actor
from services_api.core.listings.audit import field_changes, record_event
from services_api.core.paging import Page
from services_api.models import Report, Service, utcnow

MAX_MESSAGE_LENGTH = 2000
ANONYMOUS = Actor(role="public")


def submit_report(session: Session, *, service: Service, kind: str, message: str) -> Report:
    """Store a report; nothing about who sent it is kept."""
    report = Report(id=uuid.uuid4(), service_id=service.id, kind=kind, message=message, status="open")
    session.add(report)
    session.flush()
    record_event(
        session,
        actor=ANONYMOUS,
        action="create",
        entity_type="report",
        entity_id=report.id,
        changes={"kind": {"before": None, "after": kind}},
    )
    return report


def list_reports(
    session: Session, *, partner_id: uuid.UUID | None, status: str | None, page: int, per_page: int
) -> Page[Report]:
    """Return a page of reports, newest first: all of them for the operator, its own for a partner."""
    query = select(Report)
    if partner_id is not None:
        query = query.join(Service).where(Service.organization_id == partner_id)
    if status:
        query = query.where(Report.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.order_by(Report.created.desc(), Report.id).offset((page - 1) * per_page).limit(per_page)
    )
    return Page(items=list(items), total_items=total, page_number=page, per_page=per_page)


def find_report(session: Session, *, report_id: uuid.UUID, partner_id: uuid.UUID | None) -> Report | None:
    """Return the report if the caller may see it (a partner sees only reports on its own listings)."""
    report = session.get(Report, report_id)
    if report is None or partner_id is None:
        return report
    service = session.get(Service, report.service_id)
    return report if service is not None and service.organization_id == partner_id else None


def moderate(session: Session, *, actor: Actor, report: Report, status: str, note: str | None) -> Report:
    """Resolve, dismiss or reopen a report."""
    before: dict[str, Any] = {"status": report.status, "resolution_note": report.resolution_note}
    report.status = status
    report.resolution_note = note
    report.resolved_at = None if status == "open" else utcnow()
    session.flush()
    after = {"status": report.status, "resolution_note": report.resolution_note}
    record_event(
        session,
        actor=actor,
        action="moderate",
        entity_type="report",
        entity_id=report.id,
        changes=field_changes(before, after),
    )
    return report
