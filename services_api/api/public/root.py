"""/: what this API is (HSDS 3.0 meta information)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_restx import Namespace, Resource

from ..responses import CONDITIONAL_GET, answers

ns = Namespace("meta", description="About this API")

HSDS_VERSION = "3.0"


@ns.route("")
class ApiRoot(Resource):
    """HSDS meta information."""

    @ns.response(200, "HSDS version, profile and the address of the OpenAPI document")
    @answers(*CONDITIONAL_GET)
    def get(self) -> dict[str, Any]:
        """Return the HSDS version this API speaks, its profile and its OpenAPI document."""
        return meta_information()


def meta_information() -> dict[str, Any]:
    """Return the HSDS meta information: version, profile and OpenAPI document address."""
    return {
        "version": HSDS_VERSION,
        "profile": url_for("api_v1.doc", _external=True),
        "openapi_url": url_for("api_v1.specs", _external=True),
    }
