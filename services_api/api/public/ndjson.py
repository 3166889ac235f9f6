"""`format=ndjson`: every matching public listing, one HSDS object a line, streamed in batches."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from flask import Response, g
from marshmallow import Schema

from services_api.api.http_cache import answer_etag, conditional_stream
from services_api.api.public.common import listing_filters, place_members, public_view, with_all_translations
from services_api.api.public.searching import run_search, wants_search
from services_api.core.directory import reads
from services_api.core.directory.streaming import BATCH_SIZE, iter_batches, iter_in_order
from services_api.core.paging import Page
from services_api.db import get_session
from services_api.models import Service, ServiceAtLocation
from services_api.schemas.hsds import public_context

NDJSON = "application/x-ndjson"
SEARCH_BATCH = 200
PLACE_HEADER = "Search-Place"
OTHER_PLACES_HEADER = "Search-Other-Places"


def wants_ndjson(args: dict[str, Any]) -> bool:
    """Return whether the client asked for newline-delimited JSON."""
    return args.get("format") == "ndjson"


def _etag(args: dict[str, Any]) -> str:
    """Tag the answer by the directory's state and the query (see `answer_etag`)."""
    return answer_etag()


def encode_lines(items: Iterable[Any]) -> bytes:
    """Return JSON documents as ndjson: one compact document a line."""
    text = "".join(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n" for item in items)
    return text.encode()


def _lines(records: Sequence[Any], schema: Schema) -> bytes:
    with public_context(public_view()):
        documents = schema.dump(records, many=True)
    kind = g.get("stream_kind")
    if kind is not None:  # taxonomies and their terms have no translations
        with_all_translations(documents, kind=kind, summary=not g.get("stream_minimal"))
    return encode_lines(documents)


def _searched(
    args: dict[str, Any], per: str, load: Callable[..., Sequence[Any]], schema: Schema
) -> Callable[[], Iterator[bytes]]:
    """Return the body of a searched stream, running the first page now so bad input is a JSON error."""
    first = run_search({**args, "page": 1, "per_page": SEARCH_BATCH}, per=per)

    def body() -> Iterator[bytes]:
        found, page = first, 1
        while True:
            session = get_session()
            yield _lines(load(session, found.items, full=args["full"]), schema)
            session.expunge_all()
            if page >= found.total_pages:
                return
            page += 1
            found = run_search({**args, "page": page, "per_page": SEARCH_BATCH}, per=per)

    return body


Wrap = Callable[[Any, Sequence[Any]], Sequence[Any]]


def _place_headers() -> dict[str, str]:
    """Return the place a stream searched (and the others its name may mean) as JSON headers.

    A stream has no envelope, so these carry what the page envelope's `place` and `other_places`
    say, as ASCII JSON (non-ASCII letters escaped).
    """
    members = place_members()
    if not members:
        return {}
    return {
        PLACE_HEADER: json.dumps(members["place"], separators=(",", ":")),
        OTHER_PLACES_HEADER: json.dumps(members["other_places"], separators=(",", ":")),
    }


def stream_services(
    args: dict[str, Any],
    schema: Schema,
    *,
    per: str,
    load: Callable[..., Sequence[Any]],
    wrap: Wrap | None = None,
) -> Response:
    """Stream every public service matching the request's filters (nearest first for a place).

    Without a search, `wrap(session, batch)` (if given) turns each batch of services into what
    `schema` dumps, as the pages do.
    """
    g.stream_kind, g.stream_minimal = "service", bool(args.get("minimal"))
    return _stream(
        args,
        schema,
        per=per,
        load=load,
        wrap=wrap,
        build=reads.services_query,
        columns=(Service.name, Service.id),
        key=lambda service: (service.name, service.id),
    )


def stream_service_at_locations(
    args: dict[str, Any],
    schema: Schema,
    *,
    per: str,
    load: Callable[..., Sequence[Any]],
    wrap: Wrap | None = None,
) -> Response:
    """Stream every public service-at-location matching the request's filters (`wrap` as above)."""
    g.stream_kind = "service_at_location"
    return _stream(
        args,
        schema,
        per=per,
        load=load,
        wrap=wrap,
        build=reads.service_at_locations_query,
        columns=(Service.name, ServiceAtLocation.id),
        key=lambda link: (link.service.name, link.id),
    )


def _stream(
    args: dict[str, Any],
    schema: Schema,
    *,
    per: str,
    load: Callable[..., Sequence[Any]],
    build: Callable[..., Any],
    columns: tuple[Any, ...],
    key: Callable[[Any], tuple[Any, ...]],
    wrap: Wrap | None,
) -> Response:
    """Stream a search page by page, or a listing query in keyset batches in its page order."""
    etag = _etag(args)
    if wants_search(args):
        searched = _searched(args, per, load, schema)
        return conditional_stream(etag, searched, mimetype=NDJSON, headers=_place_headers())

    filters = listing_filters(args)
    if filters.search is not None:
        ranked = _ranked(args, schema=schema, build=build, id_column=columns[-1], wrap=wrap)
        return conditional_stream(etag, ranked, mimetype=NDJSON)

    def body() -> Iterator[bytes]:
        session = get_session()
        query = build(session, view=public_view(), filters=filters, full=args["full"])
        for batch in iter_batches(session, query, columns=columns, key=key):
            yield _lines(wrap(session, batch) if wrap else batch, schema)

    return conditional_stream(etag, body, mimetype=NDJSON)


def _ranked(
    args: dict[str, Any], *, schema: Schema, build: Callable[..., Any], id_column: Any, wrap: Wrap | None
) -> Callable[[], Iterator[bytes]]:
    """Return the body of a keyword stream: the matches ranked once by relevance, then loaded in batches."""
    filters = listing_filters(args)

    def body() -> Iterator[bytes]:
        session = get_session()
        ranked = build(session, view=public_view(), filters=filters, full=False)
        ids = session.scalars(ranked.with_only_columns(id_column).options()).all()
        plain = build(session, view=public_view(), filters=replace(filters, search=None), full=args["full"])

        def load(wanted: Sequence[Any]) -> Sequence[Any]:
            return session.scalars(plain.where(id_column.in_(wanted))).unique().all()

        for batch in iter_in_order(session, ids, load=load, id_of=lambda record: record.id):
            yield _lines(wrap(session, batch) if wrap else batch, schema)

    return body


def stream_pages(
    args: dict[str, Any], schema: Schema, fetch: Callable[[int, int], Page[Any]], *, kind: str | None = None
) -> Response:
    """Stream every item of a small list (organisations, taxonomies, terms), fetched page by page.

    `fetch(page, per_page)` returns one page in the list's order, as the paged answer does; records of
    a `kind` that has translations carry them all.
    """
    g.stream_kind = kind
    etag = _etag(args)

    def body() -> Iterator[bytes]:
        number = 1
        while True:
            found = fetch(number, BATCH_SIZE)
            yield _lines(found.items, schema)
            get_session().expunge_all()
            if number >= found.total_pages:
                return
            number += 1

    return conditional_stream(etag, body, mimetype=NDJSON)
