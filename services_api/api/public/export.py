"""/export: the whole public directory as an HSDS 3.0 tabular data package (a zip of CSV files)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from flask import Response
from flask_restx import Namespace, Resource
from marshmallow import Schema

from services_api.api.http_cache import answer_etag, conditional_stream
from services_api.api.public.common import public_view, with_all_translations
from services_api.api.responses import answers
from services_api.core.directory.export import public_records
from services_api.core.hsds.package import stream_package
from services_api.db import get_session
from services_api.schemas.export import ExportLocationSchema
from services_api.schemas.hsds import (
    FullOrganizationSchema,
    FullServiceSchema,
    TaxonomySchema,
    TaxonomyTermSchema,
    public_context,
)

ns = Namespace("export", description="The whole public directory as an HSDS 3.0 tabular data package")

PACKAGE_VERSION = "3"  # 2: a confidential location has no address row; 3: translations.csv
TRANSLATED_TABLES = ("organization", "service", "location")
FILE_NAME = "services_api-hsds-3.0.zip"
# The same public shapes as the JSON API (confidential locations coarsened, and without address
# rows, which HSDS cannot hold without a street), each record once.
SCHEMAS: dict[str, Schema] = {
    "organization": FullOrganizationSchema(exclude=("locations", "services")),
    "service": FullServiceSchema(
        exclude=("organization", "service_at_locations.location", "attributes.taxonomy_term", "stale")
    ),
    "location": ExportLocationSchema(exclude=("attributes.taxonomy_term",)),
    "taxonomy": TaxonomySchema(),
    "taxonomy_term": TaxonomyTermSchema(exclude=("taxonomy_detail",)),
}


def _dumped(batches: Iterator[tuple[str, Sequence[Any]]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for table, batch in batches:
        with public_context(public_view()):
            dumped = SCHEMAS[table].dump(batch, many=True)
        if table in TRANSLATED_TABLES:
            with_all_translations(dumped, kind=table)
        yield table, dumped


@ns.route("")
class Export(Resource):
    """The public directory as a data package."""

    @ns.produces(["application/zip", "application/json"])
    @ns.response(200, "A zip: datapackage.json and one CSV file per HSDS table")
    @answers(
        (304, "Nothing changed since the copy whose ETag was sent in If-None-Match"),
        (429, "Too many streams (exports or format=ndjson) running at once; see Retry-After"),
    )
    def get(self) -> Response:
        """Download every public listing as an HSDS 3.0 tabular data package (zip of CSV files).

        Confidential locations are coarsened exactly as in the JSON API. Send the ETag back in
        `If-None-Match` to get a 304 when nothing changed.
        """
        etag = answer_etag(variants={"package": str(PACKAGE_VERSION)})

        def body() -> Iterator[bytes]:
            with tempfile.TemporaryDirectory(prefix="hsds-export-") as folder:
                records = _dumped(public_records(get_session(), public_view()))
                for chunk in stream_package(records, Path(folder)):
                    if chunk:
                        yield chunk

        disposition = {"Content-Disposition": f'attachment; filename="{FILE_NAME}"'}
        return conditional_stream(etag, body, mimetype="application/zip", headers=disposition)
