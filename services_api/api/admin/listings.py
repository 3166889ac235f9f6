"""/admin/services, /admin/locations, /admin/service_at_locations: listings, scoped to their owner."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from sqlalchemy import func, select

from services_api.api.admin.auth import current_actor
from services_api.api.admin.common import AdminResource, admin_view, ns, path_id
from services_api.api.admin.kinds import SCHEMAS
from services_api.api.admin.writes import (
    commit,
    idempotent,
    json_body,
    require_if_match,
    respond,
)
from services_api.api.errors import ApiError
from services_api.api.openapi import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    body_model,
    page_model,
    query_params,
    schema_model,
)
from services_api.api.params import parse_query
from services_api.api.public.common import page_envelope
from services_api.api.responses import CONDITIONAL_GET, JSON_BODY, VERSIONED_WRITE, answers
from services_api.core.limits import MAX_ITEMS
from services_api.core.listings import editing
from services_api.core.listings.editing import LOCATIONS, SERVICE_AT_LOCATIONS, SERVICES, Kind
from services_api.core.paging import Page
from services_api.db import get_session
from services_api.locators import configured_geocoder
from services_api.models import Location, Service, ServiceAtLocation
from services_api.schemas.admin_params import ADMIN_LISTING_ARGS

OWNER_COLUMNS: dict[str, Any] = {
    "service": Service.organization_id,
    "location": Location.organization_id,
}


def owned_or_404(kind: Kind, record_id: str) -> Any:
    """Return the record the caller may edit, or 404 (another organisation's record is not revealed)."""
    record = editing.find_owned(get_session(), kind=kind, actor=current_actor(), record_id=path_id(record_id))
    if record is None:
        raise ApiError(404, f"You have no {kind.name} with this id.")
    return record


def _list(kind: Kind, args: dict[str, Any]) -> Page[Any]:
    session = get_session()
    actor = current_actor()
    query = select(kind.model)
    if kind is SERVICE_AT_LOCATIONS:
        query = query.join(Service, Service.id == ServiceAtLocation.service_id)
        owner_column: Any = Service.organization_id
    else:
        owner_column = OWNER_COLUMNS[kind.name]
    if not actor.is_operator:
        query = query.where(owner_column == actor.partner_id)
    elif args.get("organization_id"):
        query = query.where(owner_column == args["organization_id"])
    if kind is SERVICES and args.get("vetting_status"):
        query = query.where(Service.vetting_status == args["vetting_status"])
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page, per_page = args["page"], args["per_page"]
    items = session.scalars(query.order_by(kind.model.id).offset((page - 1) * per_page).limit(per_page))
    return Page(items=list(items), total_items=total, page_number=page, per_page=per_page)


def _write(kind: Kind, record: Any, *, partial: bool) -> Response:
    require_if_match(record)
    body = json_body()
    result = editing.update(
        get_session(),
        kind=kind,
        actor=current_actor(),
        record=record,
        doc=body,
        view=admin_view(),
        partial=partial,
        geocoder=configured_geocoder(),
    )
    commit(record)
    status = 202 if result.held is not None else 200
    return respond(result.document, status, record=result.record)


def register(kind: Kind, path: str, model_name: str) -> None:
    """Register the collection and item resources of one editable kind under `path`."""
    output = schema_model(ns, f"Admin{model_name}", SCHEMAS[kind.name], max_items=MAX_ITEMS)
    server_set = kind.read_only | kind.nested_elsewhere | {"id"}
    body = body_model(ns, f"Admin{model_name}Body", SCHEMAS[kind.name], server_set, max_items=MAX_ITEMS)

    @ns.route(path, endpoint=f"admin_{kind.name}_list")
    class Collection(AdminResource):
        """The records of one kind the caller may edit."""

        @ns.doc(
            params=query_params(ADMIN_LISTING_ARGS),
            description=f"Your {kind.name}s (all of them for the operator).",
        )
        @ns.response(200, "A page of records", page_model(ns, f"Admin{model_name}Page", SCHEMAS[kind.name]))
        @answers(*CONDITIONAL_GET, 400)
        def get(self) -> dict[str, Any]:
            """List the records you may edit."""
            page = _list(kind, parse_query(ADMIN_LISTING_ARGS))
            view = admin_view()
            session = get_session()
            return page_envelope(
                page, [editing.describe(session, kind=kind, record=item, view=view) for item in page.items]
            )

        @ns.expect(body, validate=False)
        @ns.response(201, "Created", output)
        @ns.response(202, "Created; the claims it brings into a vetted listing wait for the operator", output)
        @ns.doc(params=IDEMPOTENCY_KEY)
        @answers(*JSON_BODY, 409, (422, "A field is invalid or not yours to set"))
        def post(self) -> Response:
            """Create a record (a new service starts pending and is not public until vetted)."""
            body = json_body()

            def create() -> Response:
                result = editing.create(
                    get_session(),
                    kind=kind,
                    actor=current_actor(),
                    doc=body,
                    view=admin_view(),
                    geocoder=configured_geocoder(),
                )
                location = url_for(f"api_v1.admin_{kind.name}_item", id=str(result.record.id))
                status = 202 if result.held is not None else 201
                return respond(result.document, status, record=result.record, location=location)

            return idempotent(create)

    @ns.route(f"{path}/<string:id>", endpoint=f"admin_{kind.name}_item")
    @ns.param("id", f"The {kind.name}'s id", format="uuid")
    class Item(AdminResource):
        """One record the caller may edit."""

        @ns.response(200, "The record, with its ETag", output)
        @answers(*CONDITIONAL_GET, (404, "You have no record with this id"))
        def get(self, id: str) -> Response:
            """Read one record with its version (send its ETag back in If-Match to change it)."""
            record = owned_or_404(kind, id)
            return respond(
                editing.describe(get_session(), kind=kind, record=record, view=admin_view()), record=record
            )

        @ns.expect(body, validate=False)
        @ns.response(200, "Replaced", output)
        @ns.response(202, "Applied, but changes to safety claims wait for the operator", output)
        @ns.doc(params=IF_MATCH)
        @answers(
            *JSON_BODY,
            *VERSIONED_WRITE,
            (412, "The record changed since you read it"),
            (428, "If-Match is missing"),
        )
        def put(self, id: str) -> Response:
            """Replace the record (fields left out are cleared); needs If-Match."""
            return _write(kind, owned_or_404(kind, id), partial=False)

        @ns.expect(body, validate=False)
        @ns.response(200, "Updated", output)
        @ns.response(202, "Applied, but changes to safety claims wait for the operator", output)
        @ns.doc(params=IF_MATCH)
        @answers(
            *JSON_BODY,
            *VERSIONED_WRITE,
            (412, "The record changed since you read it"),
            (428, "If-Match is missing"),
        )
        def patch(self, id: str) -> Response:
            """Change the fields given (top-level; a list given replaces the list); needs If-Match."""
            return _write(kind, owned_or_404(kind, id), partial=True)

        @ns.response(200, "Withdrawn (services) or deleted", output)
        @ns.doc(params=IF_MATCH)
        @answers(
            *VERSIONED_WRITE,
            (409, "Not possible in the record's current state"),
            (412, "The record changed since you read it"),
            (428, "If-Match is missing"),
        )
        def delete(self, id: str) -> Response:
            """Withdraw a service (hidden at once, kept for audit and sync), or delete a place or link."""
            record = owned_or_404(kind, id)
            require_if_match(record)
            session = get_session()
            if kind is SERVICES:
                result = editing.withdraw(
                    session, kind=kind, actor=current_actor(), service=record, view=admin_view()
                )
                commit(record)
                return respond(result.document, record=result.record)
            editing.delete(session, kind=kind, actor=current_actor(), record=record, view=admin_view())
            commit()
            return respond({"id": id, "deleted": True})

    Collection.__name__ = f"Admin{model_name}List"
    Item.__name__ = f"Admin{model_name}"


register(SERVICES, "/services", "Service")
register(LOCATIONS, "/locations", "Location")
register(SERVICE_AT_LOCATIONS, "/service_at_locations", "ServiceAtLocation")
