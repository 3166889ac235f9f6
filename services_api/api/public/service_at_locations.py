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
from services_api.core.search.query import PER_PLACE
from services_api.core.search.result_records import place_records
from services_api.core.search.results import load_place_results
from services_api.db import get_session
from services_api.schemas.compiled import CompiledDump
from services_api.schemas.hsds import FullServiceAtLocationSchema, ServiceAtLocationSchema
from services_api.schemas.params import ListingArgs
from services_api.schemas.search import FullPlaceResultSchema, PlaceResultSchema

ns = Namespace("service_at_locations", description="Services at their locations (HSDS 3.0)")

ARGS = ListingArgs()
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
        page_model(ns, "ServiceAtLocationSearchPage", FULL_RESULT, tombstones=True, places=True),
    )
    @answers(
        *PUBLIC_LIST,
        (422, PLACE_NOT_FOUND),
        (429, "format=ndjson: too many streams running at once; see Retry-After"),
    )
    @ns.produces(["application/json", NDJSON])
    def get(self) -> Any:
        """List public service-at-locations by service name, or nearest first around a place.

        Every filter given must hold. With a place, services covering it by their service area are
        listed too (`match: service_area`, distance 0). With `format=ndjson`, every match is
        streamed, one HSDS object a line.
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
                schema = FULL_SERVICE_AT_LOCATION if args["full"] else SERVICE_AT_LOCATION
            return stream_service_at_locations(args, schema, per=PER_PLACE, load=load_place_results)
        if wants_search(args):
            found = run_search(args, per=PER_PLACE)
            if args["full"]:
                results = load_place_results(get_session(), found.items, full=True)
                return dump_page(found.with_items(results), FULL_RESULT, view)
            return dump_page(found.with_items(place_records(get_session(), found.items)), FAST_RESULT, view)
        page = reads.list_service_at_locations(
            get_session(),
            view=view,
            filters=listing_filters(args),
            page=args["page"],
            per_page=args["per_page"],
            full=args["full"],
        )
        return dump_page(page, FULL_SERVICE_AT_LOCATION if args["full"] else SERVICE_AT_LOCATION, view)


@ns.route("/<string:id>")
@ns.param("id", "Service-at-location id (UUID)", format="uuid")
class ServiceAtLocationDetail(Resource):
    """One public service-at-location."""

    @ns.response(
        200,
        "The service-at-location with location and service nested",
        schema_model(ns, "FullServiceAtLocation", FULL_SERVICE_AT_LOCATION),
    )
    @answers(*CONDITIONAL_GET, 400, (404, "No public service-at-location has this id"))
    def get(self, id: str) -> dict[str, Any]:
        """Return one public service-at-location, fully nested."""
        view = public_view()
        record = reads.get_service_at_location(get_session(), view=view, service_at_location_id=parse_id(id))
        return dump_one(record, FULL_SERVICE_AT_LOCATION, view, "service_at_location")
