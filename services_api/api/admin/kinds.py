"""The editable kinds of record, each with the admin document the API shows and edits are checked against."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from marshmallow import Schema
from sqlalchemy.orm import Session

from services_api.core.directory.visibility import PublicView
from services_api.core.listings import editing
from services_api.models import Service, ServiceAtLocation
from services_api.schemas.admin import AdminLocationSchema, AdminServiceAtLocationSchema, AdminServiceSchema
from services_api.schemas.hsds import public_context


def _describer(schema: Schema) -> Any:
    def describe(session: Session, record: Any, view: PublicView) -> dict[str, Any]:
        if isinstance(record, Service):
            record.open_report_count = editing.open_report_count(session, record)  # type: ignore[attr-defined]
        for shown in _records_with_claims(record):
            shown.pending_change = editing.pending_change(session, shown)
        with public_context(view):
            document: dict[str, Any] = schema.dump(record)
        return document

    return describe


def _records_with_claims(record: Any) -> list[Any]:
    """The record and the locations its document nests: each shows the change held on its claims."""
    if isinstance(record, Service):
        return [record, *(link.location for link in record.service_at_locations if link.location)]
    if isinstance(record, ServiceAtLocation):
        return [record.location] if record.location is not None else []
    return [record]


SCHEMAS: dict[str, Schema] = {
    "service": AdminServiceSchema(),
    "location": AdminLocationSchema(),
    "service_at_location": AdminServiceAtLocationSchema(),
}
SERVICES = replace(editing.SERVICES, describe=_describer(SCHEMAS["service"]))
LOCATIONS = replace(editing.LOCATIONS, describe=_describer(SCHEMAS["location"]))
SERVICE_AT_LOCATIONS = replace(
    editing.SERVICE_AT_LOCATIONS, describe=_describer(SCHEMAS["service_at_location"])
)
