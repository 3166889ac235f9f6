"""/taxonomy_terms: categories and access & safety attributes."""

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
from services_api.schemas.hsds import TaxonomyTermSchema
from services_api.schemas.params import TaxonomyTermListArgs

ns = Namespace("taxonomy_terms", description="Taxonomy terms (HSDS 3.0)")

ARGS = TaxonomyTermListArgs()
TERM = TaxonomyTermSchema()


@ns.route("")
class TaxonomyTermList(Resource):
    """A page of taxonomy terms."""

    @ns.doc(params=query_params(ARGS))
    @ns.response(200, "A page of taxonomy terms", page_model(ns, "TaxonomyTermPage", TERM))
    @answers(*PUBLIC_LIST, (429, "format=ndjson: too many streams running at once; see Retry-After"))
    @ns.produces(["application/json", NDJSON])
    def get(self) -> Any:
        """List taxonomy terms by taxonomy and code (with `format=ndjson`: all, one HSDS object a line)."""
        args = parse_query(ARGS)
        filters = reads.TermFilters(
            search=args.get("search"),
            taxonomy_id=args.get("taxonomy_id"),
            parent_id=args.get("parent_id"),
            top_only=args["top_only"],
        )

        def fetch(page: int, per_page: int) -> Any:
            return reads.list_taxonomy_terms(get_session(), filters=filters, page=page, per_page=per_page)

        if wants_ndjson(args):
            return stream_pages(args, TERM, fetch)
        return dump_page(fetch(args["page"], args["per_page"]), TERM, public_view())


@ns.route("/<string:id>")
@ns.param("id", "Taxonomy term id (UUID)", format="uuid")
class TaxonomyTermDetail(Resource):
    """One taxonomy term."""

    @ns.response(200, "The taxonomy term", schema_model(ns, "TaxonomyTerm", TERM))
    @answers(*CONDITIONAL_GET, 400, (404, "No taxonomy term has this id"))
    def get(self, id: str) -> dict[str, Any]:
        """Return one taxonomy term."""
        term = reads.get_taxonomy_term(get_session(), term_id=parse_id(id))
        return dump_one(term, TERM, public_view(), "taxonomy_term")
