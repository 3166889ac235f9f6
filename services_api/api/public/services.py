"""/services: public listings in HSDS 3.0 shape."""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace, Resource

from services_api.api.openapi import page_model, query_params, schema_model
from services_api.api.params import parse_id, parse_query
from services_api.api.public.common import dump_one, dump_page, listing_filters, public_view
from services_api.api.public.deltas import delta_response, wants_delta
from services_api.api.public.ndjson import NDJSON, stream_services, wants_ndjson
from services_api.api.public.reports import submit
from services_api.api.public.searching import (
    PLACE_NOT_FOUND,
    refuse_place_with_delta,
    run_search,
    wants_search,
)
from services_api.api.responses import CONDITIONAL_GET, PUBLIC_LIST, answers
from services_api.core.directory import reads
from services_api.core.search.query import PER_SERVICE
from services_api.core.search.result_records import service_records
from services_api.core.search.results import listed_services, load_service_results
from services_api.db import get_session
from services_api.schemas.bodies import REPORT_BODY
from services_api.schemas.compiled import CompiledDump
from services_api.schemas.hsds import FullServiceSchema, ServiceSchema
from services_api.schemas.params import LanguageArgs, ServiceListArgs
from services_api.schemas.search import DocumentedServiceResult, FullServiceResultSchema, ServiceResultSchema

ns = Namespace("services", description="Vetted services (HSDS 3.0)")

ARGS = ServiceListArgs()
LANGUAGE_ARGS = LanguageArgs()
SERVICE = ServiceSchema()
MINIMAL_FIELDS = ("id", "name", "status", "last_modified")
MINIMAL_SERVICE = ServiceSchema(only=MINIMAL_FIELDS)
FULL_SERVICE = FullServiceSchema()
RESULT = ServiceResultSchema()
MINIMAL_RESULT = ServiceResultSchema(only=(*MINIMAL_FIELDS, "distance_km", "match", "beyond_radius"))
FULL_RESULT = FullServiceResultSchema()
FAST_RESULT = CompiledDump(RESULT)
FAST_MINIMAL_RESULT = CompiledDump(MINIMAL_RESULT)


@ns.route("")
class ServiceList(Resource):
    """A page of public services."""

    @ns.doc(params=query_params(ARGS))
    @ns.response(
        200,
        "A page of services (search results when a place or filter is given)",
        page_model(ns, "ServiceSearchPage", DocumentedServiceResult(), tombstones=True, places=True),
    )
    @answers(
        *PUBLIC_LIST,
        (422, PLACE_NOT_FOUND),
        (429, "format=ndjson: too many streams running at once; see Retry-After"),
    )
    @ns.produces(["application/json", NDJSON])
    def get(self) -> Any:
        """List public services by name (by relevance with `search`), or nearest first around a place.

        Every filter given must hold; `search` matches word prefixes, case and accents aside.

        With `format=ndjson`, every matching service is streamed, one HSDS object a line. With
        `modified_after`, what changed since then, tombstones included.
        """
        args = parse_query(ARGS)
        view = public_view()
        if wants_delta(args):
            refuse_place_with_delta(args)
            return delta_response("service", args, FULL_SERVICE)
        if wants_ndjson(args):
            searching = wants_search(args)
            schema = _list_schema(args, searching)
            wrap = listed_services if schema is RESULT else None
            return stream_services(args, schema, per=PER_SERVICE, load=load_service_results, wrap=wrap)
        if wants_search(args):
            found = run_search(args, per=PER_SERVICE)
            if args["full"]:
                results = load_service_results(get_session(), found.items, full=True)
                return dump_page(found.with_items(results), FULL_RESULT, view, kind="service", carry_all=True)
            result = FAST_MINIMAL_RESULT if args["minimal"] else FAST_RESULT
            records = service_records(get_session(), found.items)
            return dump_page(
                found.with_items(records), result, view, kind="service", summary=not args["minimal"]
            )
        page = reads.list_services(
            get_session(),
            view=view,
            filters=listing_filters(args),
            page=args["page"],
            per_page=args["per_page"],
            full=args["full"],
        )
        if args["full"] or args["minimal"]:
            schema = FULL_SERVICE if args["full"] else MINIMAL_SERVICE
            return dump_page(page, schema, view, kind="service", summary=args["full"], carry_all=args["full"])
        return dump_page(
            page.with_items(listed_services(get_session(), page.items)), FAST_RESULT, view, kind="service"
        )


def _list_schema(args: dict[str, Any], searching: bool) -> Any:
    if searching:
        return FULL_RESULT if args["full"] else MINIMAL_RESULT if args["minimal"] else RESULT
    return FULL_SERVICE if args["full"] else MINIMAL_SERVICE if args["minimal"] else RESULT


@ns.route("/<string:id>")
@ns.param("id", "Service id (UUID)", format="uuid")
class ServiceDetail(Resource):
    """One public service."""

    @ns.doc(params=query_params(LANGUAGE_ARGS))
    @ns.response(200, "The service with everything nested", schema_model(ns, "FullService", FULL_SERVICE))
    @answers(*CONDITIONAL_GET, 400, (404, "No public service has this id"))
    def get(self, id: str) -> dict[str, Any]:
        """Return one public service, fully nested."""
        view = public_view()
        service = reads.get_service(get_session(), view=view, service_id=parse_id(id))
        return dump_one(service, FULL_SERVICE, view, "service")


@ns.route("/<string:id>/reports")
@ns.param("id", "Service id (UUID)", format="uuid")
class ServiceReports(Resource):
    """Reports from the public about one service."""

    @ns.response(201, "Received; the operator and the service's provider will see it")
    @answers(
        400, (404, "No public service has this id"), 413, 415, (422, "The kind or message is invalid"), 429
    )
    @ns.expect(schema_model(ns, "ReportBody", REPORT_BODY), validate=False)
    def post(self, id: str) -> tuple[dict[str, Any], int]:
        """Report that a listing is wrong, closed or unsafe, or that someone was treated badly there.

        No account or personal data is needed, and nothing about the sender (address, browser) is kept.
        """
        return submit(id)
