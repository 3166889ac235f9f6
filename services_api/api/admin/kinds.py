"""The editable kinds of record, each with the admin document the API shows and edits are checked against."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from marshmallow import Schema
from sqlalchemy.orm import Session

from ...core import editing
from ...core.visibility import PublicView
from ...models import Service
from ...schemas.admin import AdminLocationSchema, AdminServiceAtLocationSchema, AdminServiceSchema
from ...schemas.hsds import public_context


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
