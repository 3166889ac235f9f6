"""The gunicorn worker `make run` serves with: threads, the API's JSON errors, and no address in any log.

Threads let a long stream (a full sync, an export) run for as long as it takes while the worker keeps
answering other requests and telling the arbiter it is alive (a sync worker is killed after its
timeout, mid-answer). What gunicorn refuses by itself, before the app sees the request (a request line
over `limit_request_line`, an oversized header, malformed HTTP), is answered in the API's JSON error
shape instead of gunicorn's HTML page, and logged without the client's address or the request line
(which may hold a searcher's location).
"""

from __future__ import annotations

import json
from http import HTTPStatus
from ssl import SSLError
from typing import Any

from gunicorn import util
from gunicorn.http import errors
from gunicorn.workers.gthread import ThreadWorker

# The application's own faults, though gunicorn raises them as parse errors.
_APP_FAULTS = tuple(
    getattr(errors, name)
    for name in ("InvalidResponseHeader", "InvalidResponseHeaderName")
    if hasattr(errors, name)
)


def refusal(exc: BaseException, *, limit_request_line: int) -> tuple[int, str]:
    """Return the status and message for a request gunicorn could not hand to the app."""
    if isinstance(exc, (*_APP_FAULTS, errors.ConfigurationProblem)):
        return 500, "The server could not complete the request; it has been logged."
    if isinstance(exc, errors.LimitRequestLine):
        return 414, f"The request line (method, path and query) must be at most {limit_request_line} bytes."
    if isinstance(exc, errors.LimitRequestHeaders):
        return 431, "A request header is too large, or there are too many headers."
    if isinstance(exc, errors.UnsupportedTransferCoding):
        return 501, "This Transfer-Encoding is not supported."
    if isinstance(exc, errors.ExpectationFailed):
        return 417, "Only 'Expect: 100-continue' is supported."
    if isinstance(exc, errors.ForbiddenProxyRequest):
        return 403, "Proxy headers are accepted only from the configured proxies."
    if isinstance(exc, errors.ParseException | SSLError):
        return 400, f"The request is not valid HTTP ({type(exc).__name__})."
    return 500, "The server could not complete the request; it has been logged."


def error_response(status: int, message: str) -> bytes:
    """Return a complete HTTP response carrying the API's JSON error body; the connection then closes."""
    phrase = HTTPStatus(status).phrase
    # The API's one error shape (api/errors.py), written here: the server imports nothing of the API.
    body = json.dumps({"code": status, "status": phrase, "message": message, "errors": {}}).encode()
    head = (
        f"HTTP/1.1 {status} {phrase}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        "Access-Control-Allow-Origin: *\r\n"
        "Cache-Control: no-store\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class JsonErrorThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's threaded worker, refusing malformed requests in JSON and logging no client address."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """Answer a request gunicorn could not hand to the app (gunicorn's own would log the address)."""
        status, message = refusal(exc, limit_request_line=self.cfg.limit_request_line)
        if status >= 500:
            self.log.error("Error handling a request (%s)", type(exc).__name__, exc_info=exc)
        else:
            self.log.info("Refused a malformed request with %s (%s)", status, type(exc).__name__)
        try:
            util.write_nonblock(client, error_response(status, message))
        except Exception:
            self.log.debug("Failed to send the error response.")
