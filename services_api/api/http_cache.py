"""Conditional GETs: an ETag on every successful GET, 304 on a match, and Cache-Control.

Who may keep an answer:
- an answer without a place: any cache (`public, max-age=CACHE_MAX_AGE`), so a CDN absorbs them;
- an answer to a search with a place (its URL holds the searcher's coordinates or place name), and
  every admin answer: no cache at all (`private, no-store`), whatever its status;
- an answer built from the request's host (the API root without PUBLIC_URL): only the client's own
  cache (`private`), since another client could have sent another Host.

The ETag of a public answer is known before the answer is built (`answer_etag`: the directory's
version, kept by database triggers, plus the normalised query and the request's variant inputs), so
a revalidation that matches is answered 304 before any endpoint runs (`revalidate_early`).

Public answers carry weak ETags: the gzip, brotli and identity forms of an answer are the same
answer, so one tag serves every encoding (and a 304 stays valid whichever the client kept). Admin
answers keep strong ETags, which If-Match needs, and are never compressed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from urllib.parse import urlsplit

from flask import Response, current_app, g, request, stream_with_context

from services_api.api.stream_limits import take_stream_slot
from services_api.core.directory.fingerprint import directory_fingerprint
from services_api.core.directory.sync import next_modified_after
from services_api.core.directory.visibility import PublicView
from services_api.db import get_session
from services_api.models import utcnow

ADMIN_PATHS = "/api/v1/admin"
API_ROOT = "/api/v1/"
# Every query parameter that says where the searcher is, or wants to be.
PLACE_PARAMETERS = frozenset(
    {"lat", "lng", "near", "postcode", "proximity", "bbox", "radius_km", "min_results"}
)
# Answers that say whether places are open now (result summaries): they change by the minute.
BY_THE_MINUTE = ("/api/v1/services", "/api/v1/service_at_locations")
NEXT_MODIFIED_AFTER = "X-Next-Modified-After"
ETAG_KEY = "services_api.answer_etag"  # per request (g may outlive one: an app context can hold several)


def answer_etag(*, variants: Mapping[str, str] | None = None) -> str:
    """Return the ETag of the public answer to this request, without building it.

    It hashes the directory's fingerprint (version, stale count, day), the path with its query
    parameters sorted, PUBLIC_URL or else the request's host (the API root shows it), the minute
    for answers that say what is open now, and `variants`: any other input the answer depends on
    (e.g. a language). Computed once per request.
    """
    cached = request.environ.get(ETAG_KEY)
    if cached is not None and variants is None:
        return str(cached)
    config = current_app.config
    view = PublicView.at(
        stale_after_days=config["STALE_AFTER_DAYS"], hide_after_days=config["HIDE_AFTER_DAYS"]
    )
    marks = current_app.extensions.setdefault("directory_marks", {})
    parts = [
        directory_fingerprint(get_session(), view, stale_after_days=config["STALE_AFTER_DAYS"], marks=marks),
        str(config["HIDE_AFTER_DAYS"]),
        request.path,
        "&".join(f"{key}={value}" for key, value in sorted(request.args.items(multi=True))),
        config["PUBLIC_URL"] or request.host,
        # The languages asked for (`lang` is among the parameters): each language's answer has its own tag.
        "".join(request.headers.get("Accept-Language", "").split()).lower(),
    ]
    if request.path.startswith(BY_THE_MINUTE) and "modified_after" not in request.args:
        parts.append(view.now.strftime("%Y-%m-%dT%H:%M"))
    parts += [f"{name}={value}" for name, value in sorted((variants or {}).items())]
    etag = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    if variants is None:
        request.environ[ETAG_KEY] = etag
    return etag


def _public_read() -> bool:
    return request.method in ("GET", "HEAD") and not request.path.startswith(ADMIN_PATHS)


def revalidate_early() -> Response | None:
    """Answer 304 before the endpoint runs when the client holds the current ETag of this public answer."""
    if not _public_read() or not request.if_none_match:
        return None
    etag = answer_etag()
    if not request.if_none_match.contains_weak(etag):
        return None
    response = Response(status=304)
    response.set_etag(etag, weak=True)
    if request.path == API_ROOT and not current_app.config["PUBLIC_URL"]:
        built_from_request_host()
    if "modified_after" in request.args:
        response.headers[NEXT_MODIFIED_AFTER] = next_modified_after(utcnow()).isoformat()
    _cacheable(response)
    return response


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
    response.set_etag(answer_etag(), weak=True)
    _cacheable(response)
    response.make_conditional(request)
    return response


def _say_language(response: Response) -> None:
    """Name the languages of a localized answer's text, and that the answer depends on Accept-Language."""
    languages = g.get("content_languages")
    if languages is not None and response.status_code == 200:
        response.headers["Content-Language"] = ", ".join(languages)
        response.vary.add("Accept-Language")


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
    if request.if_none_match.contains_weak(etag):
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
    response.set_etag(etag, weak=True)
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
            if _public_read():
                response.set_etag(answer_etag(), weak=True)
            else:
                response.add_etag()
        if not response.is_streamed:
            response.make_conditional(request)
    return response
