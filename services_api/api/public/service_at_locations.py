"""/service_at_locations: where each public service is delivered."""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace, Resource
from marshmallow import Schema

from services_api.api.openapi import page_model, query_params, schema_model
from services_api.api.params import parse_id, parse_query
from services_api.api.public.common import dump_one, dump_page, listing_filters, public_view
from services_api.api.public.deltas import delta_response, wants_delta
from services_api.api.public.ndjson import NDJSON, stream_service_at_locations, wants_ndjson
from services_api.api.public.searching import (
    PLACE_NOT_FOUND,
    refuse_place_with_delta,
    run_search,
    wants_search,
)
from services_api.api.responses import CONDITIONAL_GET, PUBLIC_LIST, answers
from services_api.core.directory import reads
from services_api.core.search.query import PER_PLACE, SERVICE_AREA_MATCH, Hit
from services_api.core.search.result_records import place_records
from services_api.core.search.results import listed_places, load_place_results
from services_api.db import get_session
from services_api.schemas.compiled import CompiledDump
from services_api.schemas.hsds import FullServiceAtLocationSchema, ServiceAtLocationSchema
from services_api.schemas.params import LanguageArgs, ListingArgs
from services_api.schemas.search import DocumentedPlaceResult, FullPlaceResultSchema, PlaceResultSchema

KIND = "service_at_location"
ns = Namespace("service_at_locations", description="Services at their locations (HSDS 3.0)")

ARGS = ListingArgs()
LANGUAGE_ARGS = LanguageArgs()
SERVICE_AT_LOCATION = ServiceAtLocationSchema()
FULL_SERVICE_AT_LOCATION = FullServiceAtLocationSchema()
RESULT = PlaceResultSchema()
FULL_RESULT = FullPlaceResultSchema()
FAST_RESULT = CompiledDump(RESULT)


@ns.route("")
class ServiceAtLocationList(Resource):
    """A page of public service-at-locations."""

    @ns.doc(params=query_params(ARGS))
    @ns.response(
        200,
        "A page of service-at-locations",
        page_model(ns, "ServiceAtLocationSearchPage", DocumentedPlaceResult(), tombstones=True, places=True),
    )
    @answers(
        *PUBLIC_LIST,
        (422, PLACE_NOT_FOUND),
        (429, "format=ndjson: too many streams running at once; see Retry-After"),
    )
    @ns.produces(["application/json", NDJSON])
    def get(self) -> Any:
        """List public service-at-locations by service name (by relevance with `search`), or nearest first.

        Every filter given must hold; `search` matches word prefixes, case and accents aside. With a
        place, services covering it by their service area are listed too (`match: service_area`,
        distance 0). With `format=ndjson`, every match is streamed, one HSDS object a line.
        """
        args = parse_query(ARGS)
        view = public_view()
        if wants_delta(args):
            refuse_place_with_delta(args)
            return delta_response("service_at_location", args, FULL_SERVICE_AT_LOCATION)
        if wants_ndjson(args):
            schema: Schema
            if wants_search(args):
                schema = FULL_RESULT if args["full"] else RESULT
            else:
                schema = FULL_SERVICE_AT_LOCATION if args["full"] else RESULT
            wrap = None if args["full"] or wants_search(args) else listed_places
            return stream_service_at_locations(
                args, schema, per=PER_PLACE, load=load_place_results, wrap=wrap
            )
        if wants_search(args):
            found = run_search(args, per=PER_PLACE)
            if args["full"]:
                results = load_place_results(get_session(), found.items, full=True)
                return dump_page(found.with_items(results), FULL_RESULT, view, kind=KIND, carry_all=True)
            records = place_records(get_session(), found.items)
            return dump_page(found.with_items(records), FAST_RESULT, view, kind=KIND)
        page = reads.list_service_at_locations(
            get_session(),
            view=view,
            filters=listing_filters(args),
            page=args["page"],
            per_page=args["per_page"],
            full=args["full"],
        )
        if args["full"]:
            return dump_page(page, FULL_SERVICE_AT_LOCATION, view, kind=KIND, carry_all=True)
        return dump_page(
            page.with_items(listed_places(get_session(), page.items)), FAST_RESULT, view, kind=KIND
        )


@ns.route("/<string:id>")
@ns.param("id", "Service-at-location id (UUID), or the id of a `service_area` match", format="uuid")
class ServiceAtLocationDetail(Resource):
    """One public service-at-location, or a service where it covers an area."""

    @ns.doc(params=query_params(LANGUAGE_ARGS))
    @ns.response(
        200,
        "The service-at-location with location and service nested (for a service area's id: the "
        "service and its area, `match: service_area`)",
        schema_model(ns, "FullServiceAtLocation", DocumentedPlaceResult()),
    )
    @answers(*CONDITIONAL_GET, 400, (404, "No public service-at-location or service area has this id"))
    def get(self, id: str) -> dict[str, Any]:
        """Return one public service-at-location, fully nested.

        A search lists a service that covers the searched point by its area (`match: service_area`)
        under the area's id: that id resolves here too, to the service and its area, as the search
        gave it with `full=true`.
        """
        view, session, record_id = public_view(), get_session(), parse_id(id)
        record = reads.get_service_at_location(session, view=view, service_at_location_id=record_id)
        if record is None:
            area = reads.get_public_service_area(session, view=view, service_area_id=record_id)
            if area is not None and area.service_id is not None:
                hit = Hit(SERVICE_AREA_MATCH, area.service_id, service_area_id=area.id)
                result = load_place_results(session, [hit], full=True)[0]
                return dump_one(result, FULL_RESULT, view, "service_at_location")
        return dump_one(record, FULL_SERVICE_AT_LOCATION, view, "service_at_location")
