"""Query parameters of the admin API: strict (an unknown parameter is refused), 400 naming each bad one."""

from __future__ import annotations

from datetime import UTC

from marshmallow import RAISE, fields, validate

from services_api.models import REPORT_STATUSES
from services_api.schemas.params import MAX_PAGE, QuerySchema, no_control_characters


class AdminQuerySchema(QuerySchema):
    """Base of the admin query schemas: a parameter the endpoint does not know is a mistake, said so."""

    class Meta:
        unknown = RAISE


class AdminPageArgs(AdminQuerySchema):
    """Paging parameters of admin lists."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(validate=validate.Range(min=1))


class AdminListingArgs(AdminPageArgs):
    """Filters of the admin listing lists."""

    organization_id = fields.UUID(metadata={"description": "Operator only: one organisation's records."})
    vetting_status = fields.String(
        validate=validate.OneOf(["pending", "vetted", "suspended", "rejected"]),
        metadata={"description": "Services only: by vetting state."},
    )


class ReportArgs(AdminPageArgs):
    """Filters of the report list."""

    status = fields.String(validate=validate.OneOf(REPORT_STATUSES))


class AuditArgs(AdminPageArgs):
    """Filters of the audit log; every one given must hold."""

    entity_id = fields.String(validate=[validate.Length(max=64), no_control_characters])
    entity_type = fields.String(validate=[validate.Length(max=32), no_control_characters])
    actor = fields.UUID(metadata={"description": "The id of the key that acted."})
    action = fields.String(validate=[validate.Length(max=32), no_control_characters])
    since = fields.AwareDateTime(default_timezone=UTC, metadata={"description": "ISO 8601, inclusive."})
    until = fields.AwareDateTime(default_timezone=UTC, metadata={"description": "ISO 8601, exclusive."})


class ImportArgs(AdminQuerySchema):
    """Options of an import."""

    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "Validate and report; write nothing."}
    )
    vetted = fields.Boolean(
        load_default=False,
        metadata={"description": "Operator only: the operator has vetted these services; make them public."},
    )


ADMIN_PAGE_ARGS = AdminPageArgs()
ADMIN_LISTING_ARGS = AdminListingArgs()
REPORT_ARGS = ReportArgs()
AUDIT_ARGS = AuditArgs()
IMPORT_ARGS = ImportArgs()
