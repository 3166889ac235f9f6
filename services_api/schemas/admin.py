"""What the admin API returns: the HSDS shapes with the true point, vetting state and version.

Dump with `public_context(view)` active (for `stale` and `public`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from marshmallow import Schema, fields, post_dump

from services_api.core.geocoding.precision import PRECISIONS, confirmation_warnings, is_approximate
from services_api.models import Location, Service
from services_api.schemas.hsds import (
    AddressSchema,
    FullServiceAtLocationSchema,
    FullServiceSchema,
    HSDSSchema,
    LocationSchema,
    OrganizationSchema,
    current_view,
)

HELD_CHANGE_DOC = "The change to this record's safety claims that waits for the operator (absent when none)."
_HELD_CHANGE_OF: ContextVar[Callable[[Any], Any] | None] = ContextVar("held_change_of", default=None)


@contextmanager
def held_changes(change_of: Callable[[Any], Any]) -> Iterator[None]:
    """Dump admin documents with `change_of(record)` giving the change held on a record's claims."""
    token = _HELD_CHANGE_OF.set(change_of)
    try:
        yield
    finally:
        _HELD_CHANGE_OF.reset(token)


def dump_held_change(record: Any) -> dict[str, Any] | None:
    """Dump the change held on the record's claims, if `held_changes` is active and there is one."""
    change_of = _HELD_CHANGE_OF.get()
    pending = change_of(record) if change_of is not None else None
    return ProposedChangeSchema().dump(pending) if pending is not None else None


class AdminLocationSchema(LocationSchema):
    """A location as its partner and the operator see it: the true point and full address."""

    latitude = fields.Float()
    longitude = fields.Float()
    addresses = fields.List(fields.Nested(AddressSchema))  # type: ignore[assignment]  # all, in full
    version = fields.Integer(attribute="row_version", dump_only=True)
    geocode_precision = fields.String(
        metadata={
            "description": "Where the point came from: exact (given), or the level the geocoder placed the "
            f"address at ({', '.join(PRECISIONS[1:])}); absent when not recorded.",
            "enum": list(PRECISIONS),
        }
    )
    needs_confirmation = fields.Function(
        lambda location: is_approximate(location.geocode_precision),
        metadata={
            "description": "True when the point is only a centre: send latitude and longitude to confirm it."
        },
    )
    warnings = fields.Function(
        lambda location: confirmation_warnings(location.geocode_precision) or None,
        metadata={"description": "What to check, by JSON pointer (absent when nothing needs checking)."},
    )
    pending_change = fields.Function(
        lambda location: dump_held_change(location), metadata={"description": HELD_CHANGE_DOC}
    )

    @post_dump(pass_original=True)
    def withhold_confidential(
        self, data: dict[str, Any], location: Location, **_kwargs: Any
    ) -> dict[str, Any]:
        """Withhold nothing: this output is only for the owner and the operator."""
        return data


class AdminServiceAtLocationSchema(FullServiceAtLocationSchema):
    """A service-at-location with its true location and version."""

    location = fields.Nested(AdminLocationSchema)
    service = fields.Nested(lambda: FullServiceSchema(only=("id", "name", "organization_id")))
    version = fields.Integer(attribute="row_version", dump_only=True)


class ProposedChangeSchema(HSDSSchema):
    """A held change to the safety claims of a record the public sees (a service or a location)."""

    id = fields.UUID()
    entity_type = fields.String()
    entity_id = fields.UUID()
    service_id = fields.UUID()
    proposed_by = fields.UUID()
    changes = fields.Dict()
    status = fields.String()
    created = fields.DateTime()
    decided_at = fields.DateTime()
    decision_note = fields.String()


class AdminServiceSchema(FullServiceSchema):
    """A service with everything nested, its vetting state, freshness and version."""

    service_at_locations = fields.List(fields.Nested(AdminServiceAtLocationSchema(exclude=("service",))))
    vetting_status = fields.String()
    vetted_at = fields.DateTime()
    vetted_by = fields.String()
    vetting_criteria = fields.List(fields.String())
    vetting_notes = fields.String()
    next_review_due = fields.Date()
    withdrawn_at = fields.DateTime()
    version = fields.Integer(attribute="row_version", dump_only=True)
    public = fields.Function(lambda service: current_view().is_public(service))
    pending_change = fields.Function(
        lambda service: dump_held_change(service), metadata={"description": HELD_CHANGE_DOC}
    )
    # Filled in by the admin document from the review state (editing.service_review_state).
    open_reports = fields.Raw(dump_only=True)

    @post_dump(pass_original=True)
    def announce_staleness(self, data: dict[str, Any], service: Service, **_kwargs: Any) -> dict[str, Any]:
        """Keep the partner's own alert as written; staleness shows in `stale`."""
        return data


class PartnerSchema(HSDSSchema):
    """A partner organisation and whether its keys work."""

    id = fields.UUID()
    name = fields.String(attribute="organization.name")
    email = fields.String()
    active = fields.Boolean()
    deactivated_at = fields.DateTime()
    created = fields.DateTime()
    version = fields.Integer(attribute="row_version")
    organization = fields.Nested(OrganizationSchema)


class ApiKeySchema(HSDSSchema):
    """A key as listed: never its secret."""

    id = fields.UUID()
    prefix = fields.String()
    role = fields.String()
    partner_id = fields.UUID()
    label = fields.String()
    created = fields.DateTime()
    last_used_at = fields.DateTime()
    revoked_at = fields.DateTime()


class ReportSchema(HSDSSchema):
    """A public report about a listing."""

    id = fields.UUID()
    service_id = fields.UUID()
    kind = fields.String()
    message = fields.String()
    status = fields.String()
    created = fields.DateTime()
    resolved_at = fields.DateTime()
    resolution_note = fields.String()
    version = fields.Integer(attribute="row_version")


class AuditEventSchema(Schema):
    """One entry of the audit log."""

    id = fields.Integer()
    occurred_at = fields.DateTime()
    actor_key_id = fields.UUID(allow_none=True)
    actor_role = fields.String()
    action = fields.String()
    entity_type = fields.String()
    entity_id = fields.String()
    changes = fields.Dict()
    note = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
