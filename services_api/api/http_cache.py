"""Conditional GETs: an ETag on every successful GET, 304 on a match, and Cache-Control."""

from __future__ import annotations

from flask import Response, current_app, request

ADMIN_PATHS = "/api/v1/admin"


def apply_http_caching(response: Response) -> Response:
    """Add ETag and Cache-Control to a successful GET and answer 304 when the client's copy matches.

    Admin responses are private to their key: never stored by a cache, though still conditional.
    """
    if request.path.startswith(ADMIN_PATHS):
        return _private(response)
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.direct_passthrough:
        return response
    response.add_etag()
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["CACHE_MAX_AGE"]
    response.vary.add("Accept-Encoding")
    response.make_conditional(request)
    return response


def _private(response: Response) -> Response:
    response.cache_control.no_store = True
    response.cache_control.private = True
    if request.method in ("GET", "HEAD") and response.status_code == 200 and not response.direct_passthrough:
        if not response.get_etag()[0]:
            response.add_etag()
        response.make_conditional(request)
    return response
