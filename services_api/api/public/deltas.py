"""`modified_after` on /services and /service_at_locations: what changed, with tombstones, page by cursor.

An offline app downloads the directory once, then asks for what changed since the value the last
response gave it in `X-Next-Modified-After`. Listings that left public output come as tombstones
(`{id, status, last_modified}`). Pages follow `next_cursor`, which stays correct while partners
write: a listing changed mid-sync moves to the end, and none is skipped. `page` works too, as on
every list (a page's place may shift when a listing changes meanwhile).

A tombstone is a valid HSDS record of its kind, so a client that knows nothing of our extension
still sees the listing as no longer active: a service keeps its id and last public name, with the
HSDS status of `REMOVED_STATUS`; a service-at-location keeps its id and service id, with its service
as such a tombstone. The extension member `removed` says why it left and since when.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from flask import current_app, make_response
from flask.wrappers import Response
from marshmallow import Schema
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from services_api.api.http_cache import NEXT_MODIFIED_AFTER, answer_etag, conditional_stream
from services_api.api.public.common import link_pages, listing_filters, public_view, with_all_translations
from services_api.api.public.ndjson import NDJSON, encode_lines
from services_api.core.directory import reads, sync
from services_api.core.directory.reads import FULL_SERVICE_LOAD, SERVICE_AT_LOCATION_LOAD, ListingFilters
from services_api.db import get_session
from services_api.models import Service, ServiceAtLocation
from services_api.schemas.hsds import public_context

NEXT_HEADER = NEXT_MODIFIED_AFTER
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


# The HSDS status a tombstone shows for each reason a listing left: `defunct` when its provider ended
# it, `inactive` when it may come back (after review, or when its provider confirms it again).
REMOVED_STATUS = {
    "withdrawn": "defunct",
    "defunct": "defunct",
    "suspended": "inactive",
    "rejected": "inactive",
    "pending": "inactive",
    "hidden": "inactive",
}


def _removed(change: sync.Change) -> dict[str, str]:
    return {"reason": str(change.removed), "at": change.changed_at.isoformat()}


def service_tombstone(change: sync.Change) -> dict[str, Any]:
    """Return a service that left public output, as a valid HSDS service no longer active."""
    return {
        "id": str(change.id),
        "name": change.name or "",
        "status": REMOVED_STATUS.get(str(change.removed), "inactive"),
        "last_modified": change.changed_at.isoformat(),
        "removed": _removed(change),
    }


def tombstone(change: sync.Change) -> dict[str, Any]:
    """Return what a client learns about a listing that left: a valid HSDS record, why, and since when."""
    if change.service is None and change.removed == "deleted":
        return {"id": str(change.id), "removed": _removed(change)}
    if change.service is None:
        return service_tombstone(change)
    service = change.service
    if service.removed is None:  # the service is still public: the record itself is gone
        return {"id": str(change.id), "service_id": str(service.id), "removed": _removed(change)}
    return {
        "id": str(change.id),
        "service_id": str(service.id),
        "service": service_tombstone(service),
        "removed": _removed(change),
    }


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

    def body() -> Iterator[bytes]:
        for start in range(0, len(changes), STREAM_BATCH):
            dumped = dump_changes(kind, changes[start : start + STREAM_BATCH], schema)
            get_session().expunge_all()
            yield encode_lines(dumped)

    headers = {NEXT_HEADER: sync.next_modified_after(public_view().now).isoformat()}
    return conditional_stream(answer_etag(), body, mimetype=NDJSON, headers=headers)


def _delta_page(kind: str, changes: list[sync.Change], args: dict[str, Any], schema: Schema) -> Response:
    """One page of changes, oldest first: after the request's cursor, or the page asked for."""
    per_page = args["per_page"]
    page, next_cursor, before = sync.page_after(
        changes, cursor=args.get("cursor"), size=per_page, page_number=args["page"]
    )
    contents = dump_changes(kind, page, schema)
    total = len(changes)
    total_pages = max(1, math.ceil(total / per_page))
    page_number = before // per_page + 1 if args.get("cursor") else args["page"]
    link_pages(page_number=page_number, total_pages=total_pages)
    body = {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": before == 0,
        "last_page": before + len(contents) >= total,
        "empty": total == 0,
        "contents": contents,
        "next_cursor": next_cursor,
    }
    response = make_response(body, 200)
    response.headers[NEXT_HEADER] = sync.next_modified_after(public_view().now).isoformat()
    return response
