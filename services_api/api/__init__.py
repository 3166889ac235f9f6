"""The HTTP layer: one flask-restx API under /api/v1, its namespaces registered in one place."""

from __future__ import annotations

from functools import cached_property
from typing import Any, cast

from flask import Blueprint, Flask, Response, current_app
from flask_cors import CORS
from flask_restx import Api
from flask_restx.swagger import Swagger
from werkzeug.middleware.proxy_fix import ProxyFix

from services_api.api import compression, errors, json_bodies, rate_limits, stream_limits
from services_api.api.admin import ns as admin_ns
from services_api.api.docs import init_docs
from services_api.api.http_cache import apply_http_caching, redirect_to_public_url, revalidate_early
from services_api.api.openapi import finish
from services_api.api.openapi31 import to_openapi31
from services_api.api.public import (
    export,
    organizations,
    root,
    service_at_locations,
    services,
    taxonomies,
    taxonomy_terms,
)
from services_api.api.public.common import paging_links
from services_api.api.public.deltas import NEXT_HEADER
from services_api.api.public.ndjson import OTHER_PLACES_HEADER, PLACE_HEADER
from services_api.api.responses import ERROR

API_PREFIX = "/api/v1"
PUBLIC_PATHS = rf"{API_PREFIX}/(?!admin).*"
REPORT_PATHS = rf"{API_PREFIX}/services/[^/]+/reports"

NAMESPACES = (
    (root.ns, "/"),
    (services.ns, "/services"),
    (service_at_locations.ns, "/service_at_locations"),
    (organizations.ns, "/organizations"),
    (taxonomies.ns, "/taxonomies"),
    (taxonomy_terms.ns, "/taxonomy_terms"),
    (admin_ns, "/admin"),
    (export.ns, "/export"),
)
# What browser JavaScript on another origin may read of a public answer (besides the safelisted ones).
EXPOSED_HEADERS = ["ETag", "Link", NEXT_HEADER, "Retry-After", "Content-Language"]
PREFLIGHT_MAX_AGE = 86400  # seconds a browser may keep the answer to a preflight
AUTHORIZATIONS = {
    "bearer": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "Admin API only: `Bearer <key>`, a key issued by the operator.",
    }
}


class HSDSApi(Api):
    """flask-restx's Api, with the HSDS meta information at the API root instead of a 404."""

    def render_root(self) -> Response:
        """Answer GET /api/v1/ with the HSDS meta information."""
        return cast(Response, self.make_response(root.meta_information(), 200))

    @cached_property
    def __schema__(self) -> dict[str, Any]:
        """The OpenAPI document, with the limits of this app's configuration."""
        return finish(Swagger(self).as_dict(), max_per_page=current_app.config["MAX_PER_PAGE"])

    @cached_property
    def openapi31(self) -> dict[str, Any]:
        """The OpenAPI 3.1 document (the one `openapi_url` names), converted from restx's Swagger 2.0."""
        return to_openapi31(self.__schema__)


def build_api() -> tuple[Blueprint, Api]:
    """Create the /api/v1 blueprint with every namespace registered."""
    blueprint = Blueprint("api_v1", __name__, url_prefix=API_PREFIX)
    api = HSDSApi(
        blueprint,
        version="1.0",
        title="services_api",
        description=(
            "A vetted directory of health, housing and legal-aid services for sex workers, "
            "in Open Referral HSDS 3.0. Only vetted, current listings are public; confidential "
            "locations show only their area and a coarse point."
        ),
        doc=False,  # Swagger UI 5 with the OpenAPI 3.1 document instead (api.docs)
        license="MIT",
        authorizations=AUTHORIZATIONS,
    )
    init_docs(blueprint)
    blueprint.add_url_rule(
        "/openapi.json", "openapi", lambda: cast(Response, current_app.json.response(api.openapi31))
    )
    api.add_model(ERROR.name, ERROR)
    for namespace, path in NAMESPACES:
        api.add_namespace(namespace, path=path)
    blueprint.before_request(revalidate_early)
    blueprint.after_request(apply_http_caching)
    blueprint.after_request(paging_links)
    return blueprint, api


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXY_COUNT proxies, take the client's address, scheme and host from their headers.

    Off by default: without a proxy that sets X-Forwarded-For, -Proto and -Host itself, a client could
    claim any address (and so escape its rate limits) or any host.
    """
    count = app.config["TRUSTED_PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count)  # type: ignore[method-assign]


def init_app(app: Flask) -> Api:
    """Register the API, its error handlers and CORS on the app."""
    trust_proxies(app)
    app.config.setdefault("RESTX_ERROR_404_HELP", False)
    app.config.setdefault("RESTX_MASK_SWAGGER", False)
    blueprint, api = build_api()
    app.register_blueprint(blueprint)
    errors.register(app, api)
    json_bodies.init_app(app)
    app.after_request(redirect_to_public_url)
    compression.init_app(app)
    rate_limits.init_app(app)
    stream_limits.init_app(app)
    public_reads = {
        "origins": "*",
        "methods": ["GET", "HEAD", "OPTIONS"],
        "expose_headers": [*EXPOSED_HEADERS, PLACE_HEADER, OTHER_PLACES_HEADER],
        "max_age": PREFLIGHT_MAX_AGE,
    }
    public_reports = {
        "origins": "*",
        "methods": ["POST", "OPTIONS"],
        "expose_headers": EXPOSED_HEADERS,
        "max_age": PREFLIGHT_MAX_AGE,
    }
    CORS(
        app,
        resources={REPORT_PATHS: public_reports, PUBLIC_PATHS: public_reads},
        send_wildcard=True,
    )
    app.extensions["restx_api"] = api
    return api
