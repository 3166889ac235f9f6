"""POST /services/{id}/reports: anyone may tell the operator a listing is wrong or unsafe, anonymously."""

from __future__ import annotations

from typing import Any

from flask import request

from services_api.api import rate_limits
from services_api.api.errors import ApiError
from services_api.api.params import parse_id
from services_api.api.public.common import public_view
from services_api.core.directory import reads
from services_api.core.listings import reports
from services_api.db import get_session
from services_api.schemas.bodies import REPORT_BODY

REPORTS_PER_CLIENT = "REPORT_LIMIT"


def submit(service_id: str) -> tuple[dict[str, Any], int]:
    """Store a report about a public service; return what the sender may see of it."""
    service = find_reported_service(service_id)
    if not request.is_json:
        raise ApiError(415, "Send the report as JSON with Content-Type: application/json.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object.", {"body": ["Not a JSON object."]})
    return store_report(service, body), 201


def find_reported_service(service_id: str) -> Any:
    """Return the public service a report is about; raise 429 when the sender sent too many, 404 if none."""
    rate_limits.refuse_if_exhausted(REPORTS_PER_CLIENT, "reports")
    service = reads.find_public_service(get_session(), view=public_view(), service_id=parse_id(service_id))
    if service is None:
        raise ApiError(404, "No public service has this id.")
    return service


def store_report(service: Any, body: dict[str, Any]) -> dict[str, Any]:
    """Validate and store a report about `service` (as the API and the search page send it)."""
    session = get_session()
    loaded = REPORT_BODY.load(body)
    if not rate_limits.take(REPORTS_PER_CLIENT, "reports"):  # atomic: concurrent workers cannot overshoot
        raise rate_limits.too_many(REPORTS_PER_CLIENT, "reports")
    report = reports.submit_report(session, service=service, kind=loaded["kind"], message=loaded["message"])
    session.commit()
    return {"id": str(report.id), "service_id": str(service.id), "kind": report.kind, "status": "received"}
