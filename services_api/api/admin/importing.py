"""POST /admin/import: HSDS 3.0 JSON, ndjson or a zipped CSV package, all or nothing, with a dry run."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request

from services_api.api.admin.auth import current_actor, prepares_before_writing
from services_api.api.admin.common import AdminResource, ns
from services_api.api.admin.writes import idempotent, respond
from services_api.api.errors import ApiError
from services_api.api.openapi import CONSUMES, IDEMPOTENCY_KEY, query_params
from services_api.api.params import parse_query
from services_api.api.responses import JSON_BODY, answers
from services_api.core.hsds.file_import import FileImportResult
from services_api.core.hsds.files import read_hsds_bytes
from services_api.core.hsds.partner_import import import_as
from services_api.db import get_session
from services_api.locators import address_locator
from services_api.schemas.admin_params import IMPORT_ARGS

CONTENT_TYPES = ("application/json", "application/x-ndjson", "application/zip")


IMPORT_BODY = {
    "payload": {
        "in": "body",
        "required": True,
        "description": "HSDS 3.0 records: JSON (one document, a list, or tables by name), ndjson, or a zip "
        "of CSV files with datapackage.json.",
        "schema": {},  # any JSON value: a document, a list or tables (Swagger 2.0 has no anyOf)
    }
}


def import_report(result: FileImportResult, dry_run: bool) -> dict[str, Any]:
    """Return what an import did (or would do)."""
    return {
        "dry_run": dry_run,
        "created": result.created,
        "changed": result.changed,
        "services": result.services,
        "left_out_tables": result.left_out_tables,
        "left_out_fields": sorted(f"{table}.{name}" for table, name in result.left_out_fields),
        "warnings": result.warnings,
        "held_for_review": result.held,
    }


@ns.route("/import")
class Import(AdminResource):
    """Bulk import of HSDS 3.0 records."""

    @ns.doc(params=query_params(IMPORT_ARGS))
    @ns.response(200, "Imported (or, with dry_run, what would be)")
    @ns.response(202, "Imported; the safety claims it makes on public records wait for the operator")
    @ns.doc(params={**IDEMPOTENCY_KEY, **IMPORT_BODY})
    @ns.vendor({CONSUMES: list(CONTENT_TYPES)})
    @answers(
        *JSON_BODY,
        403,
        (409, "Nothing imported: a duplicate, or records changed by another writer meanwhile"),
        (413, "The body is larger than MAX_REQUEST_BYTES, or a zip holds too many files or bytes"),
        (415, "Not JSON, ndjson or a zip"),
        (422, "Nothing imported: the problems by JSON pointer, ndjson line or CSV row"),
    )
    @prepares_before_writing
    def post(self) -> Response:
        """Import HSDS 3.0 records: a partner only into its own organisation; new services start pending.

        Records that carry an id update that record (importing the same file again changes nothing);
        addresses without coordinates are placed by the configured geocoder, and one that cannot be
        placed is reported, not guessed.
        """
        args = parse_query(IMPORT_ARGS)
        actor = current_actor()
        if args["vetted"] and not actor.is_operator:
            raise ApiError(403, "Only the operator may import services as vetted.")
        if request.mimetype not in CONTENT_TYPES:
            raise ApiError(415, f"Send HSDS data as one of: {', '.join(CONTENT_TYPES)}.")
        session = get_session()
        tables = read_hsds_bytes(request.get_data())

        def run() -> Response:
            result = import_as(
                session,
                actor=actor,
                tables=tables,
                locator=address_locator(),
                vetted=args["vetted"],
                vetted_by=f"operator import by key {actor.key_id}",
                source="all",
                dry_run=args["dry_run"],
                default_language=current_app.config["DEFAULT_LANGUAGE"],
            )
            if args["dry_run"]:
                session.rollback()
            return respond(import_report(result, args["dry_run"]), 202 if result.held else 200)

        return idempotent(run)
