"""POST /services/{id}/reports: anyone may tell the operator a listing is wrong or unsafe, anonymously."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema, ValidationError, fields, validate

from services_api.api import rate_limits
from services_api.api.errors import ApiError
from services_api.api.params import parse_id
from services_api.api.public.common import public_view
from services_api.core.directory import reads
from services_api.core.listings import reports
from services_api.db import get_session
from services_api.models import REPORT_KINDS
from services_api.schemas.params import plain_text

REPORTS_PER_CLIENT = "REPORT_LIMIT"


class ReportBody(Schema):
    """A report: what kind of problem, and what happened (no name, contact or account needed)."""

    kind = fields.String(required=True, validate=validate.OneOf(REPORT_KINDS))
    message = fields.String(
        load_default="", validate=[validate.Length(max=reports.MAX_MESSAGE_LENGTH), plain_text]
    )


REPORT_BODY = ReportBody()


def submit(service_id: str) -> tuple[dict[str, Any], int]:
    """Store a report about a public service; return what the sender may see of it."""
    rate_limits.refuse_if_exhausted(REPORTS_PER_CLIENT, "reports")
    session = get_session()
    service = reads.find_public_service(session, view=public_view(), service_id=parse_id(service_id))
    if service is None:
        raise ApiError(404, "No public service has this id.")
    if not request.is_json:
        raise ApiError(415, "Send the report as JSON with Content-Type: application/json.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object.", {"body": ["Not a JSON object."]})
    try:
        loaded = REPORT_BODY.load(body)
    except ValidationError as error:
        messages = error.normalized_messages()
        raise ApiError(
            422, f"The report has invalid fields: {', '.join(sorted(messages))}", messages
        ) from None
    if not rate_limits.take(REPORTS_PER_CLIENT, "reports"):  # atomic: concurrent workers cannot overshoot
        raise rate_limits.too_many(REPORTS_PER_CLIENT, "reports")
    report = reports.submit_report(session, service=service, kind=loaded["kind"], message=loaded["message"])
    session.commit()
    return {
        "id": str(report.id),
        "service_id": str(service.id),
        "kind": report.kind,
        "status": "received",
    }, 201
