"""Conditional GETs: an ETag on every successful GET, 304 on a match, and Cache-Control.

Who may keep an answer:
- an answer without a place: any cache (`public, max-age=CACHE_MAX_AGE`), so a CDN absorbs them;
- an answer to a search with a place (its URL holds the searcher's coordinates or place name), and
  every admin answer: no cache at all (`private, no-store`), whatever its status;
- an answer built from the request's host (the API root without PUBLIC_URL): only the client's own
  cache (`private`), since another client could have sent another Host.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import urlsplit

from flask import Response, current_app, g, request, stream_with_context

from services_api.api.stream_limits import take_stream_slot

ADMIN_PATHS = "/api/v1/admin"
# Every query parameter that says where the searcher is, or wants to be.
PLACE_PARAMETERS = frozenset(
    {"lat", "lng", "near", "postcode", "proximity", "bbox", "radius_km", "min_results"}
)


def apply_http_caching(response: Response) -> Response:
    """Add ETag and Cache-Control to a successful GET and answer 304 when the client's copy matches.

    A streamed answer carries its ETag already (from `conditional_stream`): its body is never read here.
    Admin answers and answers to searches with a place are never stored by any cache, though still
    conditional.
    """
    _say_language(response)
    if _never_stored():
        return _private(response)
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.direct_passthrough:
        return response
    if response.is_streamed:
        return response
    _add_etag(response)
    _cacheable(response)
    response.make_conditional(request)
    return response


def _say_language(response: Response) -> None:
    """Name the languages of a localized answer's text, and that the answer depends on Accept-Language."""
    languages = g.get("content_languages")
    if languages is not None and response.status_code == 200:
        response.headers["Content-Language"] = ", ".join(languages)
        response.vary.add("Accept-Language")


def _add_etag(response: Response) -> None:
    """Tag the body; a localized answer's tag also names the languages asked for, so each has its own."""
    languages = g.get("reader_languages")
    if languages is None:
        response.add_etag()
        return
    digest = hashlib.sha1(response.get_data() + b"|" + ",".join(languages).encode()).hexdigest()
    response.set_etag(digest)


def redirect_to_public_url(response: Response) -> Response:
    """Point the router's redirects (`/api/v1` -> `/api/v1/`) at PUBLIC_URL; else keep them private.

    The router writes them from the request's scheme and host (the proxy's, with TRUSTED_PROXY_COUNT).
    """
    location = response.headers.get("Location")
    if response.status_code not in (301, 308) or not location:
        return response
    public_url = current_app.config["PUBLIC_URL"]
    target = urlsplit(location)
    if public_url and target.netloc == request.host:
        path = target.path.removeprefix(request.script_root)
        response.headers["Location"] = public_url + path + (f"?{target.query}" if target.query else "")
    else:
        response.cache_control.private = True
    return response


def built_from_request_host() -> None:
    """Mark this answer as holding the request's host: only the client's own cache may keep it."""
    g.built_from_request_host = True


def _never_stored() -> bool:
    return request.path.startswith(ADMIN_PATHS) or not PLACE_PARAMETERS.isdisjoint(request.args)


def _cacheable(response: Response) -> None:
    if _never_stored():
        _no_store(response)
        return
    if g.get("built_from_request_host"):
        response.cache_control.private = True
    else:
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


def _no_store(response: Response) -> None:
    response.cache_control.no_store = True
    response.cache_control.private = True
    response.cache_control.public = False
    response.cache_control.max_age = None


def _private(response: Response) -> Response:
    _no_store(response)
    if request.method in ("GET", "HEAD") and response.status_code == 200 and not response.direct_passthrough:
        if not response.get_etag()[0]:
            _add_etag(response)
        if not response.is_streamed:
            response.make_conditional(request)
    return response
