"""Conditional GETs: an ETag on every successful GET, 304 on a match, and Cache-Control."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from flask import Response, current_app, request, stream_with_context

from .stream_limits import take_stream_slot

ADMIN_PATHS = "/api/v1/admin"


def apply_http_caching(response: Response) -> Response:
    """Add ETag and Cache-Control to a successful GET and answer 304 when the client's copy matches.

    A streamed answer carries its ETag already (from `conditional_stream`): its body is never read here.
    Admin responses are private to their key: never stored by a cache, though still conditional.
    """
    if request.path.startswith(ADMIN_PATHS):
        return _private(response)
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.direct_passthrough:
        return response
    if response.is_streamed:
        return response
    response.add_etag()
    _cacheable(response)
    response.make_conditional(request)
    return response


def _cacheable(response: Response) -> None:
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["CACHE_MAX_AGE"]
    response.vary.add("Accept-Encoding")


def conditional_stream(
    etag: str,
    body: Callable[[], Iterable[bytes]],
    *,
    mimetype: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """Answer 304 when the client holds `etag`, else stream `body()` with the request context kept open.

    The tag must be known before the body is built (from a fingerprint of what it depends on), so
    an unchanged answer costs the client and the server nothing but that check. A stream holds one
    of the client's stream slots until it ends (429 when none is free).
    """
    if request.if_none_match.contains(etag):
        response = Response(status=304, headers=headers)
    else:
        release = take_stream_slot()

        def held() -> Iterator[bytes]:
            try:
                yield from body()
            finally:
                release()

        try:
            response = Response(stream_with_context(held()), mimetype=mimetype, headers=headers)
        except BaseException:
            release()
            raise
        response.call_on_close(release)  # also when the stream was never read to its end
    response.set_etag(etag)
    _cacheable(response)
    return response


def _private(response: Response) -> Response:
    response.cache_control.no_store = True
    response.cache_control.private = True
    if request.method in ("GET", "HEAD") and response.status_code == 200 and not response.direct_passthrough:
        if not response.get_etag()[0]:
            response.add_etag()
        response.make_conditional(request)
    return response
