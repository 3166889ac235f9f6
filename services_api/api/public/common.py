"""Helpers shared by the public endpoints: the public view, paging envelopes, 404s."""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import urlencode

from flask import Response, current_app, g, request

from services_api.api.errors import ApiError
from services_api.core.directory.languages import localize_documents, preferred_languages
from services_api.core.directory.reads import ListingFilters
from services_api.core.directory.visibility import PublicView
from services_api.core.errors import bad_parameters
from services_api.core.field_rules import language_tag
from services_api.core.paging import Page
from services_api.db import get_session
from services_api.schemas.hsds import public_context

LOCALIZED_KINDS = ("service", "service_at_location", "organization", "location")


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


def dump_page(
    page: Page[Any],
    schema: Dumper,
    view: PublicView,
    *,
    kind: str | None = None,
    summary: bool = True,
    carry_all: bool = False,
) -> dict[str, Any]:
    """Return the HSDS page envelope around one page of items (in the reader's language for `kind`)."""
    with public_context(view):
        contents = schema.dump(page.items, many=True)
    if kind is not None:
        localized(contents, kind=kind, summary=summary, carry_all=carry_all)
    return page_envelope(page, contents)


def with_all_translations(documents: list[Any], *, kind: str, summary: bool = True) -> None:
    """Give dumped sync documents every translation of their records, their text in the original language."""
    localize_documents(
        get_session(),
        documents=[document for document in documents if "removed" not in document],  # not tombstones
        kind=kind,
        preferred=(),
        default_language=current_app.config["DEFAULT_LANGUAGE"],
        summary=summary,
        carry_all=True,
    )


def reader_languages() -> tuple[str, ...]:
    """Return the languages the reader asked for, most wanted first: `lang`, else Accept-Language."""
    lang = request.args.get("lang")
    if lang is not None:
        try:
            lang = language_tag(lang)
        except ValueError as error:
            raise bad_parameters({"lang": [str(error)]}) from None
    languages = preferred_languages(lang=lang, accept_language=request.headers.get("Accept-Language"))
    g.reader_languages = languages
    return languages


def localized(documents: list[Any], *, kind: str, summary: bool = True, carry_all: bool = False) -> None:
    """Show dumped documents in the reader's language, in place; the response says which (Content-Language).

    `carry_all` adds every translation of each record, for the copies offline apps keep (full documents).
    """
    shown = localize_documents(
        get_session(),
        documents=documents,
        kind=kind,
        preferred=reader_languages(),
        default_language=current_app.config["DEFAULT_LANGUAGE"],
        summary=summary,
        carry_all=carry_all,
    )
    g.content_languages = sorted(shown) or [current_app.config["DEFAULT_LANGUAGE"]]


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
    if what in LOCALIZED_KINDS:
        localized([data], kind=what, carry_all=True)
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
