"""/organizations: organisations with at least one public service."""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace, Resource

from services_api.api.openapi import page_model, query_params, schema_model
from services_api.api.params import parse_id, parse_query
from services_api.api.public.common import dump_one, dump_page, public_view
from services_api.api.public.ndjson import NDJSON, stream_pages, wants_ndjson
from services_api.api.responses import CONDITIONAL_GET, PUBLIC_LIST, answers
from services_api.core.directory import reads
from services_api.db import get_session
from services_api.schemas.hsds import (
    FullOrganizationSchema,
    FullOrganizationWithFullServicesSchema,
    OrganizationSchema,
)
from services_api.schemas.params import OrganizationArgs, OrganizationListArgs

ns = Namespace("organizations", description="Organisations delivering vetted services (HSDS 3.0)")

LIST_ARGS = OrganizationListArgs()
DETAIL_ARGS = OrganizationArgs()
ORGANIZATION = OrganizationSchema()
FULL_ORGANIZATION = FullOrganizationSchema()
FULL_ORGANIZATION_FULL_SERVICES = FullOrganizationWithFullServicesSchema()


def _full_schema(full_service: bool) -> FullOrganizationSchema:
    return FULL_ORGANIZATION_FULL_SERVICES if full_service else FULL_ORGANIZATION


@ns.route("")
class OrganizationList(Resource):
    """A page of organisations."""

    @ns.doc(params=query_params(LIST_ARGS))
    @ns.response(
        200, "A page of organisations", page_model(ns, "OrganizationPage", FULL_ORGANIZATION_FULL_SERVICES)
    )
    @answers(*PUBLIC_LIST, (429, "format=ndjson: too many streams running at once; see Retry-After"))
    @ns.produces(["application/json", NDJSON])
    def get(self) -> Any:
        """List organisations that have a public service, by name.

        `full_service=true` nests each one fully with its services fully nested, as `full=true` with
        full services would. With `format=ndjson`, every one is streamed, one HSDS object a line.
        """
        args = parse_query(LIST_ARGS)
        view = public_view()
        full = args["full"] or args["full_service"]
        schema = _full_schema(args["full_service"]) if full else ORGANIZATION

        def fetch(page: int, per_page: int) -> Any:
            return reads.list_organizations(
                get_session(), view=view, search=args.get("search"), page=page, per_page=per_page, full=full
            )

        if wants_ndjson(args):
            return stream_pages(args, schema, fetch, kind="organization")
        return dump_page(
            fetch(args["page"], args["per_page"]), schema, view, kind="organization", carry_all=full
        )


@ns.route("/<string:id>")
@ns.param("id", "Organisation id (UUID)", format="uuid")
class OrganizationDetail(Resource):
    """One organisation."""

    @ns.doc(params=query_params(DETAIL_ARGS))
    @ns.response(200, "The organisation, nested", schema_model(ns, "FullOrganization", FULL_ORGANIZATION))
    @answers(*CONDITIONAL_GET, 400, (404, "No organisation with a public service has this id"))
    def get(self, id: str) -> dict[str, Any]:
        """Return one organisation with its public locations and services nested."""
        args = parse_query(DETAIL_ARGS)
        view = public_view()
        organization = reads.get_organization(get_session(), view=view, organization_id=parse_id(id))
        return dump_one(organization, _full_schema(args["full_service"]), view, "organization")
