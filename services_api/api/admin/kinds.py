"""The editable kinds of record, each with the admin document the API shows and edits are checked against."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from marshmallow import Schema
from sqlalchemy.orm import Session

from services_api.core.directory.visibility import PublicView
from services_api.core.listings import editing
from services_api.models import Service
from services_api.schemas.admin import AdminLocationSchema, AdminServiceAtLocationSchema, AdminServiceSchema
from services_api.schemas.hsds import public_context


def _describer(schema: Schema) -> Any:
    def describe(session: Session, record: Any, view: PublicView) -> dict[str, Any]:
        if isinstance(record, Service):
            record.pending_change = editing.pending_change(session, record)  # type: ignore[attr-defined]
            record.open_report_count = editing.open_report_count(session, record)  # type: ignore[attr-defined]
        with public_context(view):
            document: dict[str, Any] = schema.dump(record)
        return document

    return describe


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
