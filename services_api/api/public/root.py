"""/: what this API is (HSDS 3.0 meta information)."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for
from flask_restx import Namespace, Resource

from services_api.api.http_cache import built_from_request_host
from services_api.api.responses import CONDITIONAL_GET, answers

ns = Namespace("meta", description="About this API")
META = ns.schema_model(
    "MetaInformation",
    {
        "type": "object",
        "required": ["version", "profile", "openapi_url"],
        "properties": {
            "version": {"type": "string", "description": "HSDS version of this API."},
            "profile": {"type": "string", "format": "uri", "description": "This API's documentation."},
            "openapi_url": {"type": "string", "format": "uri", "description": "Its OpenAPI 3.1 document."},
        },
    },
)

HSDS_VERSION = "3.0"


@ns.route("")
class ApiRoot(Resource):
    """HSDS meta information."""

    @ns.response(200, "HSDS version, profile and the address of the OpenAPI document", META)
    @answers(*CONDITIONAL_GET)
    def get(self) -> dict[str, Any]:
        """Return the HSDS version this API speaks, its profile and its OpenAPI document."""
        return meta_information()


def meta_information() -> dict[str, Any]:
    """Return the HSDS meta information: version, profile and OpenAPI document address."""
    return {
        "version": HSDS_VERSION,
        "profile": _address("api_v1.doc"),
        "openapi_url": _address("api_v1.openapi"),
    }


def _address(endpoint: str) -> str:
    """Return the absolute URL of `endpoint` (HSDS wants URIs), from PUBLIC_URL when it is set.

    Without PUBLIC_URL the address comes from the request's host, which a client chooses: the answer
    is then for that client's own cache only, never a shared one.
    """
    public_url = current_app.config["PUBLIC_URL"]
    if not public_url:
        built_from_request_host()
        return url_for(endpoint, _external=True)
    return str(public_url) + url_for(endpoint).removeprefix(request.script_root)
