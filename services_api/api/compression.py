"""gzip and brotli for public answers (JSON, ndjson, CSV), streams included, via Flask-Compress.

Admin answers are left as they are: their strong ETags are what If-Match compares, and Flask-Compress
would suffix them per encoding. Public answers carry weak ETags (see http_cache), which it leaves alone.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress

from services_api.api.http_cache import ADMIN_PATHS

ALGORITHMS = ["br", "gzip"]
MIMETYPES = [
    "application/json",
    "application/x-ndjson",
    "text/csv",
    "text/plain",
    "text/html",
    "text/css",
    "text/javascript",
]

_compress = Compress()


def _compressed(response: Response) -> Response:
    if request.path.startswith(ADMIN_PATHS):
        return response
    original = response.response
    compressed: Response = _compress.after_request(response)
    # The compressed body replaces the original, which nothing else would close: a file (the search
    # page's CSS and JS) would stay open. It is closed with the answer, once a stream has read it all.
    if compressed.response is not original and hasattr(original, "close"):
        compressed.call_on_close(original.close)
    return compressed


def init_app(app: Flask) -> None:
    """Compress public answers the client accepts compressed (brotli first, then gzip)."""
    app.config.setdefault("COMPRESS_REGISTER", False)
    app.config.setdefault("COMPRESS_ALGORITHM", ALGORITHMS)
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ALGORITHMS)
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)
    _compress.init_app(app)
    app.after_request(_compressed)
