"""/admin/reports (public reports on listings) and /admin/audit (the append-only log)."""

from __future__ import annotations

from typing import Any

from flask import Response

from services_api.api.admin.auth import current_actor, operator_only
from services_api.api.admin.common import AdminResource, ns, path_id
from services_api.api.admin.writes import commit, load_body, require_if_match, respond
from services_api.api.errors import ApiError
from services_api.api.openapi import IF_MATCH, page_model, query_params, schema_model
from services_api.api.params import parse_query
from services_api.api.public.common import page_envelope
from services_api.api.responses import CONDITIONAL_GET, JSON_BODY, VERSIONED_WRITE, answers
from services_api.core.listings import reports
from services_api.core.listings.audit import AuditFilters, list_events
from services_api.db import get_session
from services_api.schemas.admin import AuditEventSchema, ReportSchema
from services_api.schemas.admin_params import AUDIT_ARGS, REPORT_ARGS
from services_api.schemas.bodies import MODERATION

REPORT = ReportSchema()
EVENT = AuditEventSchema()


def _scope() -> Any:
    actor = current_actor()
    return None if actor.is_operator else actor.partner_id


def _report_or_404(id: str) -> Any:
    report = reports.find_report(get_session(), report_id=path_id(id), partner_id=_scope())
    if report is None:
        raise ApiError(404, "You have no report with this id.")
    return report


@ns.route("/reports")
class ReportList(AdminResource):
    """Public reports on listings."""

    @ns.doc(params=query_params(REPORT_ARGS))
    @ns.response(200, "A page of reports", page_model(ns, "ReportPage", REPORT))
    @answers(*CONDITIONAL_GET, 400)
    def get(self) -> dict[str, Any]:
        """List reports, newest first: on your own listings, or all of them for the operator."""
        args = parse_query(REPORT_ARGS)
        page = reports.list_reports(
            get_session(),
            partner_id=_scope(),
            status=args.get("status"),
            page=args["page"],
            per_page=args["per_page"],
        )
        return page_envelope(page, REPORT.dump(page.items, many=True))


@ns.route("/reports/<string:id>")
@ns.param("id", "The report's id", format="uuid")
class ReportItem(AdminResource):
    """One public report."""

    @ns.response(200, "The report, with its ETag", schema_model(ns, "Report", REPORT))
    @answers(*CONDITIONAL_GET, 404)
    def get(self, id: str) -> Response:
        """Read one report."""
        report = _report_or_404(id)
        return respond(REPORT.dump(report), record=report)

    @ns.expect(schema_model(ns, "Moderation", MODERATION), validate=False)
    @operator_only
    @ns.doc(params=IF_MATCH)
    @ns.response(200, "Moderated", schema_model(ns, "Report", REPORT))
    @answers(*JSON_BODY, *VERSIONED_WRITE)
    def patch(self, id: str) -> Response:
        """Resolve, dismiss or reopen a report, with a note; needs If-Match."""
        report = _report_or_404(id)
        require_if_match(report)
        body = load_body(MODERATION)
        reports.moderate(
            get_session(),
            actor=current_actor(),
            report=report,
            status=body["status"],
            note=body.get("resolution_note"),
        )
        commit(report)
        return respond(REPORT.dump(report), record=report)


@ns.route("/audit")
class AuditLog(AdminResource):
    """The append-only audit log (operator only)."""

    @ns.doc(params=query_params(AUDIT_ARGS))
    @operator_only
    @ns.response(200, "A page of audit events", page_model(ns, "AuditEventPage", EVENT))
    @answers(*CONDITIONAL_GET, 400)
    def get(self) -> dict[str, Any]:
        """Page through the audit log, oldest first; filters combine with AND."""
        args = parse_query(AUDIT_ARGS)
        filters = AuditFilters(
            entity_id=args.get("entity_id"),
            entity_type=args.get("entity_type"),
            actor=args.get("actor"),
            action=args.get("action"),
            since=args.get("since"),
            until=args.get("until"),
        )
        page = list_events(get_session(), filters, page=args["page"], per_page=args["per_page"])
        return page_envelope(page, EVENT.dump(page.items, many=True))
