"""Swagger UI 5 at /api/v1/docs, showing the OpenAPI 3.1 document (restx's own UI reads only Swagger 2.0).

The UI's files come from the swagger-ui-bundle-v2 package, served under /api/v1/docs/ui/.
"""

from __future__ import annotations

from flask import Blueprint, Response, send_from_directory, url_for
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>services_api: API documentation (OpenAPI 3.1, HSDS 3.0)</title>
  <link rel="stylesheet" href="{css}">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{bundle}"></script>
  <script src="{init}"></script>
</body>
</html>
"""
INIT = """window.ui = SwaggerUIBundle({url: %s, dom_id: "#swagger-ui"});"""


def init_docs(blueprint: Blueprint) -> None:
    """Serve Swagger UI (the `doc` endpoint, which the HSDS root calls `profile`) on the blueprint."""

    def page() -> Response:
        css, bundle = (
            url_for(".docs_ui", filename=name) for name in ("swagger-ui.css", "swagger-ui-bundle.js")
        )
        html = PAGE.format(css=css, bundle=bundle, init=url_for(".docs_init"))
        return Response(html, mimetype="text/html")

    def init() -> Response:
        return Response(INIT % f'"{url_for(".openapi")}"', mimetype="text/javascript")

    def ui(filename: str) -> Response:
        return send_from_directory(swagger_ui_path, filename, max_age=86400)

    blueprint.add_url_rule("/docs", "doc", page)
    blueprint.add_url_rule("/docs/init.js", "docs_init", init)
    blueprint.add_url_rule("/docs/ui/<path:filename>", "docs_ui", ui)
