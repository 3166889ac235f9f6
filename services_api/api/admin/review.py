"""Freshness and vetting: confirm, approve, reject, suspend; review queue, stale report, criteria."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from services_api.api.admin.auth import current_actor, operator_only
from services_api.api.admin.common import AdminResource, admin_view, ns
from services_api.api.admin.listings import owned_or_404
from services_api.api.admin.writes import idempotent, load_body, respond
from services_api.api.openapi import IDEMPOTENCY_KEY, query_params, schema_model
from services_api.api.params import parse_query
from services_api.api.public.common import page_envelope
from services_api.api.responses import CONDITIONAL_GET, JSON_BODY, answers
from services_api.core.listings import criteria, editing, vetting
from services_api.core.listings.editing import LOCATIONS, SERVICES, Kind
from services_api.db import get_session
from services_api.schemas.admin import ProposedChangeSchema
from services_api.schemas.admin_params import ADMIN_PAGE_ARGS
from services_api.schemas.bodies import APPROVAL_BODY, DECISION_BODY

CHANGE = ProposedChangeSchema()


DECISION_MODEL = schema_model(ns, "Decision", DECISION_BODY)


def _act(id: str, action: Any, kind: Kind = SERVICES) -> Response:
    service = owned_or_404(kind, id)

    def run() -> Response:
        result = action(service)
        return respond(result.document, record=result.record)

    return idempotent(run, lambda: service)


def _decide(id: str, decision: Any) -> Response:
    """Apply the operator's decision (reject or suspend) to a service, with the body's note."""
    note = load_body(DECISION_BODY).get("note")
    return _act(
        id,
        lambda service: decision(
            get_session(), kind=SERVICES, actor=current_actor(), service=service, note=note, view=admin_view()
        ),
    )


@ns.route("/services/<string:id>/confirm")
@ns.param("id", "The service's id", format="uuid")
class ConfirmService(AdminResource):
    """Freshness: the provider confirms a listing."""

    @ns.response(200, "Confirmed: the listing is fresh from today")
    @ns.doc(params=IDEMPOTENCY_KEY)
    @answers(*JSON_BODY, 404, (409, "The service is withdrawn"))
    def post(self, id: str) -> Response:
        """Confirm that the listing is still right (it stops being stale)."""
        return _act(
            id,
            lambda service: editing.confirm(
                get_session(), kind=SERVICES, actor=current_actor(), service=service, view=admin_view()
            ),
        )


@ns.route("/services/<string:id>/approve")
@ns.param("id", "The service's id", format="uuid")
class ApproveService(AdminResource):
    """The operator vets a listing or its held change."""

    @ns.response(200, "Vetted (or its held change applied); public from the next request")
    @ns.expect(schema_model(ns, "Approval", APPROVAL_BODY), validate=False)
    @operator_only
    @ns.doc(params=IDEMPOTENCY_KEY)
    @answers(*JSON_BODY, 404, 409, (422, "A mandatory criterion is not attested"))
    def post(self, id: str) -> Response:
        """Vet a pending, suspended or rejected service, or apply its held change; attest the criteria."""
        body = load_body(APPROVAL_BODY)
        return _act(
            id,
            lambda service: vetting.approve(
                get_session(),
                kind=SERVICES,
                actor=current_actor(),
                service=service,
                note=body.get("note"),
                criteria=body["criteria"],
                view=admin_view(),
            ),
        )


@ns.route("/services/<string:id>/reject")
@ns.param("id", "The service's id", format="uuid")
class RejectService(AdminResource):
    """The operator rejects a pending listing or a held change."""

    @ns.response(200, "Rejected")
    @ns.expect(DECISION_MODEL, validate=False)
    @operator_only
    @ns.doc(params=IDEMPOTENCY_KEY)
    @answers(*JSON_BODY, 404, (409, "Nothing to reject"))
    def post(self, id: str) -> Response:
        """Reject a pending or suspended service, or a change held on a vetted one (which stays)."""
        return _decide(id, vetting.reject)


@ns.route("/services/<string:id>/suspend")
@ns.param("id", "The service's id", format="uuid")
class SuspendService(AdminResource):
    """The operator takes a listing out of public output."""

    @ns.response(200, "Suspended: gone from public output from the next request")
    @ns.expect(DECISION_MODEL, validate=False)
    @operator_only
    @ns.doc(params=IDEMPOTENCY_KEY)
    @answers(*JSON_BODY, 404, (409, "The service is not vetted"))
    def post(self, id: str) -> Response:
        """Take a vetted service out of public output at once."""
        return _decide(id, vetting.suspend)


def _decide_held(kind: Kind, id: str, *, approved: bool) -> Response:
    """Apply or reject the change held on a record's safety claims, with the body's note."""
    note = load_body(DECISION_BODY).get("note")
    return _act(
        id,
        lambda record: vetting.decide_held_change(
            get_session(),
            kind=kind,
            actor=current_actor(),
            record=record,
            approved=approved,
            note=note,
            view=admin_view(),
        ),
        kind,
    )


@ns.route("/locations/<string:id>/approve")
@ns.param("id", "The location's id", format="uuid")
class ApproveLocationChange(AdminResource):
    """The operator approves the change held on a location's safety claims."""

    @ns.response(200, "Applied: the location's new claims are public from the next request")
    @ns.expect(DECISION_MODEL, validate=False)
    @operator_only
    @ns.doc(params=IDEMPOTENCY_KEY)
    @answers(*JSON_BODY, 404, (409, "No change waits on this location"))
    def post(self, id: str) -> Response:
        """Apply the change held on a location's safety claims (its attributes)."""
        return _decide_held(LOCATIONS, id, approved=True)


@ns.route("/locations/<string:id>/reject")
@ns.param("id", "The location's id", format="uuid")
class RejectLocationChange(AdminResource):
    """The operator rejects the change held on a location's safety claims."""

    @ns.response(200, "Rejected: the location keeps its approved claims")
    @ns.expect(DECISION_MODEL, validate=False)
    @operator_only
    @ns.doc(params=IDEMPOTENCY_KEY)
    @answers(*JSON_BODY, 404, (409, "No change waits on this location"))
    def post(self, id: str) -> Response:
        """Reject the change held on a location's safety claims; the public keeps the approved ones."""
        return _decide_held(LOCATIONS, id, approved=False)


@ns.route("/review_queue")
class ReviewQueue(AdminResource):
    """What waits for the operator."""

    @ns.doc(params=query_params(ADMIN_PAGE_ARGS))
    @operator_only
    @ns.response(200, "New listings, held changes and reviews due, oldest first")
    @answers(*CONDITIONAL_GET, 400)
    def get(self) -> dict[str, Any]:
        """Page through what waits for the operator: new listings, held changes, reviews due; oldest first."""
        args = parse_query(ADMIN_PAGE_ARGS)
        session = get_session()
        view = admin_view()
        page = vetting.review_queue(session, page=args["page"], per_page=args["per_page"])

        def document(kind: Kind, record: Any) -> dict[str, Any] | None:
            return (
                editing.describe(session, kind=kind, record=record, view=view) if record is not None else None
            )

        contents = []
        for item in page.items:
            service = document(SERVICES, item.service)
            location = document(LOCATIONS, item.location)
            contents.append(
                {
                    "kind": item.kind,
                    "entity_type": item.change.entity_type if item.change else "service",
                    "service": service,
                    "location": location,
                    "shown_by": [str(shown.id) for shown in item.shown_by] if item.location else None,
                    "proposed_change": CHANGE.dump(item.change) if item.change else None,
                    "warnings": place_warnings(service=service, location=location),
                }
            )
        return page_envelope(page, contents)


def place_warnings(*, service: dict[str, Any] | None, location: dict[str, Any] | None) -> dict[str, str]:
    """Name the item's places whose point is only approximate, by JSON pointer into the queue item."""
    warnings = {
        f"/service/service_at_locations/{index}/location{pointer}": message
        for index, link in enumerate((service or {}).get("service_at_locations") or [])
        for pointer, message in ((link.get("location") or {}).get("warnings") or {}).items()
    }
    warnings.update(
        {
            f"/location{pointer}": message
            for pointer, message in ((location or {}).get("warnings") or {}).items()
        }
    )
    return warnings


@ns.route("/stale")
class StaleReport(AdminResource):
    """Listings not confirmed for too long."""

    @ns.doc(params=query_params(ADMIN_PAGE_ARGS))
    @ns.response(200, "A page of stale listings, by organisation then name")
    @answers(*CONDITIONAL_GET, 400)
    def get(self) -> dict[str, Any]:
        """Page through vetted listings unconfirmed for STALE_AFTER_DAYS (a partner sees its own)."""
        args = parse_query(ADMIN_PAGE_ARGS)
        actor = current_actor()
        page = vetting.stale_listings(
            get_session(),
            stale_after_days=current_app.config["STALE_AFTER_DAYS"],
            partner_id=None if actor.is_operator else actor.partner_id,
            page=args["page"],
            per_page=args["per_page"],
        )
        contents = [
            {
                "id": str(service.id),
                "name": service.name,
                "organization_id": str(service.organization_id),
                "organization_name": service.organization.name,
                "last_verified_at": (
                    service.last_verified_at.date().isoformat() if service.last_verified_at else None
                ),
            }
            for service in page.items
        ]
        return {**page_envelope(page, contents), "stale_after_days": current_app.config["STALE_AFTER_DAYS"]}


@ns.route("/vetting_criteria")
class VettingCriteria(AdminResource):
    """The published vetting criteria."""

    @ns.response(200, "The vetting criteria")
    @answers(*CONDITIONAL_GET)
    def get(self) -> dict[str, Any]:
        """List the published vetting criteria; an approval must attest every mandatory one."""
        return {"contents": list(criteria.vetting_criteria())}
