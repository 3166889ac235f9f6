"""`modified_after` on /services and /service_at_locations: what changed, with tombstones, page by cursor.

An offline app downloads the directory once, then asks for what changed since the value the last
response gave it in `X-Next-Modified-After`. Listings that left public output come as tombstones
(`{id, status, last_modified}`). Pages follow `next_cursor`, which stays correct while partners
write: a listing changed mid-sync moves to the end, and none is skipped.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from typing import Any

from flask import current_app, make_response, request
from flask.wrappers import Response
from marshmallow import Schema
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from services_api.api.http_cache import conditional_stream
from services_api.api.public.common import listing_filters, public_view, with_all_translations
from services_api.api.public.ndjson import NDJSON, encode_lines
from services_api.core.directory import reads, sync
from services_api.core.directory.reads import FULL_SERVICE_LOAD, SERVICE_AT_LOCATION_LOAD, ListingFilters
from services_api.db import get_session
from services_api.models import Service, ServiceAtLocation
from services_api.schemas.hsds import public_context

NEXT_HEADER = "X-Next-Modified-After"
STREAM_BATCH = 500


def wants_delta(args: dict[str, Any]) -> bool:
    """Return whether the request asks for changes since a moment."""
    return args.get("modified_after") is not None


def _changes(kind: str, args: dict[str, Any]) -> list[sync.Change]:
    session = get_session()
    view = public_view()
    filters: ListingFilters = listing_filters({**args, "modified_after": None})
    conditions = reads.listing_conditions(session, filters)
    public_ids = None
    if conditions:
        public_ids = session.scalars(select(Service.id).where(view.service_filter(), *conditions))
    changes = sync.service_changes(
        session,
        view=view,
        since=args["modified_after"],
        stale_after_days=current_app.config["STALE_AFTER_DAYS"],
        hide_after_days=current_app.config["HIDE_AFTER_DAYS"],
        public_ids=public_ids,
    )
    if kind == "service_at_location":
        changes = sync.service_at_location_changes(
            session, service_changes_=changes, since=args["modified_after"]
        )
    return changes


def _records(kind: str, ids: list[Any]) -> dict[Any, Any]:
    session = get_session()
    if not ids:
        return {}
    if kind == "service":
        query: Any = select(Service).where(Service.id.in_(ids)).options(*FULL_SERVICE_LOAD)
    else:
        query = (
            select(ServiceAtLocation)
            .where(ServiceAtLocation.id.in_(ids))
            .options(
                *SERVICE_AT_LOCATION_LOAD, selectinload(ServiceAtLocation.service).options(*FULL_SERVICE_LOAD)
            )
        )
    return {record.id: record for record in session.scalars(query)}


def tombstone(change: sync.Change) -> dict[str, Any]:
    """Return what a client learns about a listing that left: its id, why, and when."""
    return {"id": str(change.id), "status": change.removed, "last_modified": change.changed_at.isoformat()}


def dump_changes(kind: str, changes: list[sync.Change], schema: Schema) -> list[dict[str, Any]]:
    """Dump each change: the full public document, or a tombstone."""
    records = _records(kind, [change.id for change in changes if change.removed is None])
    contents = []
    with public_context(public_view()):
        for change in changes:
            record = records.get(change.id)
            contents.append(tombstone(change) if change.removed or record is None else schema.dump(record))
    with_all_translations(contents, kind=kind)
    return contents


def delta_response(kind: str, args: dict[str, Any], schema: Schema) -> Response:
    """Answer a `modified_after` request: one page of changes, or all of them as ndjson."""
    changes = _changes(kind, args)
    if args.get("format") == "ndjson":
        return _delta_stream(kind, changes, schema)
    return _delta_page(kind, changes, args, schema)


def _delta_stream(kind: str, changes: list[sync.Change], schema: Schema) -> Response:
    """Stream every change, oldest first, one object (or tombstone) a line."""
    digest = hashlib.sha256(request.full_path.encode())
    for change in changes:
        digest.update(f"{change.cursor}|{change.removed}".encode())

    def body() -> Iterator[bytes]:
        for start in range(0, len(changes), STREAM_BATCH):
            dumped = dump_changes(kind, changes[start : start + STREAM_BATCH], schema)
            get_session().expunge_all()
            yield encode_lines(dumped)

    headers = {NEXT_HEADER: sync.next_modified_after(public_view().now).isoformat()}
    return conditional_stream(digest.hexdigest()[:32], body, mimetype=NDJSON, headers=headers)


def _delta_page(kind: str, changes: list[sync.Change], args: dict[str, Any], schema: Schema) -> Response:
    """One page of changes after the request's cursor, oldest first."""
    page, next_cursor, before = sync.page_after(changes, cursor=args.get("cursor"), size=args["per_page"])
    contents = dump_changes(kind, page, schema)
    total = len(changes)
    per_page = args["per_page"]
    body = {
        "total_items": total,
        "total_pages": max(1, math.ceil(total / per_page)),
        "page_number": before // per_page + 1,
        "size": len(contents),
        "first_page": before == 0,
        "last_page": next_cursor is None,
        "empty": total == 0,
        "contents": contents,
        "next_cursor": next_cursor,
    }
    response = make_response(body, 200)
    response.headers[NEXT_HEADER] = sync.next_modified_after(public_view().now).isoformat()
    return response
