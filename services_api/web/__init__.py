"""The search page: server-rendered HTML at `/`, from the same core functions as the API.

Every answer is `no-store`, sets no cookie, loads nothing from another host (a strict
Content-Security-Policy says so to the browser) and sends no referrer. A search is a POST, so the
place searched never appears in a URL, the browser's history or the access log.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_babel import Babel

from services_api.web import views
from services_api.web.languages import select_locale

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    """Register the search page, its translations and its headers on the app."""
    Babel(app, locale_selector=select_locale, default_translation_directories="web/translations")
    app.register_blueprint(views.blueprint)
    app.after_request(_page_headers)


def _page_headers(response: Response) -> Response:
    if request.blueprint == views.blueprint.name:
        for name, value in PAGE_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint == "web.static":
            response.headers["Cache-Control"] = "public, max-age=3600"
        response.vary.add("Accept-Language")
    return response
