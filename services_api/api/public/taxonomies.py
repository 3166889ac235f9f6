"""/taxonomies: the vocabularies that classify listings."""

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
from services_api.schemas.hsds import TaxonomySchema
from services_api.schemas.params import SearchArgs

ns = Namespace("taxonomies", description="Taxonomies (HSDS 3.0)")

ARGS = SearchArgs()
TAXONOMY = TaxonomySchema()


@ns.route("")
class TaxonomyList(Resource):
    """A page of taxonomies."""

    @ns.doc(params=query_params(ARGS))
    @ns.response(200, "A page of taxonomies", page_model(ns, "TaxonomyPage", TAXONOMY))
    @answers(*PUBLIC_LIST, (429, "format=ndjson: too many streams running at once; see Retry-After"))
    @ns.produces(["application/json", NDJSON])
    def get(self) -> Any:
        """List taxonomies by name (with `format=ndjson`: all of them, one HSDS object a line)."""
        args = parse_query(ARGS)

        def fetch(page: int, per_page: int) -> Any:
            return reads.list_taxonomies(
                get_session(), search=args.get("search"), page=page, per_page=per_page
            )

        if wants_ndjson(args):
            return stream_pages(args, TAXONOMY, fetch)
        return dump_page(fetch(args["page"], args["per_page"]), TAXONOMY, public_view())


@ns.route("/<string:id>")
@ns.param("id", "Taxonomy id (UUID)", format="uuid")
class TaxonomyDetail(Resource):
    """One taxonomy."""

    @ns.response(200, "The taxonomy", schema_model(ns, "Taxonomy", TAXONOMY))
    @answers(*CONDITIONAL_GET, 400, (404, "No taxonomy has this id"))
    def get(self, id: str) -> dict[str, Any]:
        """Return one taxonomy."""
        taxonomy = reads.get_taxonomy(get_session(), taxonomy_id=parse_id(id))
        return dump_one(taxonomy, TAXONOMY, public_view(), "taxonomy")
