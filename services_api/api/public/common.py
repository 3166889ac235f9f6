"""Helpers shared by the public endpoints: the public view, paging envelopes, 404s."""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import urlencode

from flask import Response, current_app, g, request

from services_api.api.errors import ApiError
from services_api.core.directory.reads import ListingFilters
from services_api.core.directory.visibility import PublicView
from services_api.core.paging import Page
from services_api.schemas.hsds import public_context


class Dumper(Protocol):
    """A marshmallow schema, or anything that dumps like one (see schemas/compiled.py)."""

    def dump(self, obj: Any, *, many: bool = ...) -> Any:
        """Return the output shape of `obj` (a list of them when `many`)."""


def public_view() -> PublicView:
    """Return the public view of the directory as of now, under the configured freshness limits."""
    return PublicView.at(
        stale_after_days=current_app.config["STALE_AFTER_DAYS"],
        hide_after_days=current_app.config["HIDE_AFTER_DAYS"],
    )


def dump_page(page: Page[Any], schema: Dumper, view: PublicView) -> dict[str, Any]:
    """Return the HSDS page envelope around one page of items."""
    with public_context(view):
        contents = schema.dump(page.items, many=True)
    return page_envelope(page, contents)


def page_envelope(page: Page[Any], contents: list[Any]) -> dict[str, Any]:
    """Return the HSDS page envelope around already-dumped items (with the place a search used)."""
    link_pages(page_number=page.page_number, total_pages=page.total_pages)
    return {
        "total_items": page.total_items,
        "total_pages": page.total_pages,
        "page_number": page.page_number,
        "size": len(contents),
        "first_page": page.page_number == 1,
        "last_page": page.page_number >= page.total_pages,
        "empty": page.total_items == 0,
        **place_members(),
        "contents": contents,
    }


def place_members() -> dict[str, Any]:
    """Return the envelope's `place` and `other_places` when this request searched a named place.

    Extra members of the page envelope: HSDS's Page schema allows them.
    """
    resolution = g.get("search_place")
    if resolution is None:
        return {}
    return {
        "place": resolution.place.as_json(),
        "other_places": [place.as_json() for place in resolution.others],
    }


def dump_one(record: Any, schema: Dumper, view: PublicView, what: str) -> dict[str, Any]:
    """Dump one record, or raise a 404 saying which kind of record was not found."""
    if record is None:
        raise ApiError(404, f"No public {what} has this id.")
    with public_context(view):
        data: dict[str, Any] = schema.dump(record)
    return data


def listing_filters(args: dict[str, Any]) -> ListingFilters:
    """Build the listing filters from parsed query parameters."""
    return ListingFilters(
        search=args.get("search"),
        taxonomy_term_id=args.get("taxonomy_term_id"),
        taxonomy_id=args.get("taxonomy_id"),
        organization_id=args.get("organization_id"),
        modified_after=args.get("modified_after"),
    )


PAGE_LINKS_KEY = "services_api.page_links"  # per request (g may outlive one)


def link_pages(*, page_number: int, total_pages: int) -> None:
    """Note this answer's place among its pages, for its `Link` header (see `paging_links`)."""
    request.environ[PAGE_LINKS_KEY] = (page_number, total_pages)


def paging_links(response: Response) -> Response:
    """Add the RFC 8288 `Link` header (first, prev, next, last) to an answer that is one page of a list.

    The links are the request's own path and query with only `page` changed (and `cursor` left out),
    relative to the answer's URL, so they hold whatever host the client reached.
    """
    noted = request.environ.get(PAGE_LINKS_KEY)
    if noted is None or response.status_code not in (200, 304):
        return response
    number, total = noted
    last = max(1, total)
    targets = {"first": 1}
    if number > 1:
        targets["prev"] = min(number - 1, last)
    if number < last:
        targets["next"] = number + 1
    targets["last"] = last
    args = [(key, value) for key, value in request.args.items(multi=True) if key not in ("page", "cursor")]
    links = [
        f'<{request.path}?{urlencode([*args, ("page", str(target))])}>; rel="{rel}"'
        for rel, target in targets.items()
    ]
    response.headers["Link"] = ", ".join(links)
    return response
