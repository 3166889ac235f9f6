"""/services: public listings in HSDS 3.0 shape."""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace, Resource

from ...core import directory
from ...db import get_session
from ...schemas.hsds import FullServiceSchema, ServiceSchema
from ...schemas.params import ServiceListArgs
from ..openapi import page_model, query_params, schema_model
from ..params import parse_id, parse_query
from .common import dump_one, dump_page, listing_filters, public_view

ns = Namespace("services", description="Vetted services (HSDS 3.0)")

ARGS = ServiceListArgs()
SERVICE = ServiceSchema()
MINIMAL_SERVICE = ServiceSchema(only=("id", "name", "status", "last_modified"))
FULL_SERVICE = FullServiceSchema()


@ns.route("")
class ServiceList(Resource):
    """A page of public services."""

    @ns.doc(params=query_params(ARGS))
    @ns.response(200, "A page of services", page_model(ns, "ServicePage", SERVICE))
    @ns.response(400, "A query parameter is invalid")
    def get(self) -> dict[str, Any]:
        """List public services by name; every filter given must hold."""
        args = parse_query(ARGS)
        view = public_view()
        page = directory.list_services(
            get_session(),
            view=view,
            filters=listing_filters(args),
            page=args["page"],
            per_page=args["per_page"],
            full=args["full"],
        )
        schema = FULL_SERVICE if args["full"] else MINIMAL_SERVICE if args["minimal"] else SERVICE
        return dump_page(page, schema, view)


@ns.route("/<string:id>")
@ns.param("id", "Service id (UUID)")
class ServiceDetail(Resource):
    """One public service."""

    @ns.response(200, "The service with everything nested", schema_model(ns, "FullService", FULL_SERVICE))
    @ns.response(404, "No public service has this id")
    def get(self, id: str) -> dict[str, Any]:
        """Return one public service, fully nested."""
        view = public_view()
        service = directory.get_service(get_session(), view=view, service_id=parse_id(id))
        return dump_one(service, FULL_SERVICE, view, "service")
