"""Run a geographic or filtered search for the listing endpoints."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import current_app, g

from services_api.api.errors import ApiError
from services_api.api.public.common import listing_filters, public_view
from services_api.core.paging import Page
from services_api.core.search import terms
from services_api.core.search.query import Hit, Query, search
from services_api.db import get_session
from services_api.models import utcnow
from services_api.schemas.search_params import DEFAULT_RADIUS_KM

PLACE_NOT_FOUND = (
    "No place or postcode of that name in the directory's countries (DIRECTORY_COUNTRIES); "
    "errors.suggestions lists up to five places it may have meant, each with the near= that finds it"
)
SEARCH_PARAMETERS = (
    "lat",
    "near",
    "postcode",
    "bbox",
    "category",
    "attribute",
    "language",
    "open_now",
    "open_at",
)


def wants_search(args: dict[str, Any]) -> bool:
    """Return whether the request asks for more than the plain HSDS list."""
    return any(args.get(name) not in (None, False, []) for name in SEARCH_PARAMETERS)


def run_search(args: dict[str, Any], *, per: str) -> Page[Hit]:
    """Search with the request's place and filters; raise 400/422 for unknown codes and places."""
    session = get_session()
    area, place = terms.placed_search_area(
        session,
        point=(args["lat"], args["lng"]) if "lat" in args else None,
        near=args.get("near"),
        postcode=args.get("postcode"),
        radius_km=_radius_km(args),
        bbox=args.get("bbox"),
        countries=current_app.config.get("DIRECTORY_COUNTRIES", ()),
    )
    required = terms.required_terms(
        session, category=args.get("category"), attributes=args.get("attribute", [])
    )
    filters = replace(listing_filters(args), required_terms=required, language=args.get("language"))
    query = Query(
        view=public_view(),
        per=per,
        filters=filters,
        area=area,
        open_at=utcnow() if args.get("open_now") else args.get("open_at"),
        page=args["page"],
        per_page=args["per_page"],
        min_results=args.get("min_results", 0),
    )
    g.search_place = place
    return search(session, query)


def _radius_km(args: dict[str, Any]) -> float:
    if "radius_km" in args:
        return float(args["radius_km"])
    if "proximity" in args:
        return float(args["proximity"]) / 1000.0
    return DEFAULT_RADIUS_KM


def refuse_place_with_delta(args: dict[str, Any]) -> None:
    """Refuse `modified_after` combined with a place or search-only filter: deltas cover the directory."""
    combined = sorted(name for name in SEARCH_PARAMETERS if args.get(name) not in (None, False, []))
    if combined:
        message = f"modified_after cannot be combined with {', '.join(combined)}; sync the whole directory"
        raise ApiError(400, "Invalid query parameter: modified_after", {"modified_after": [message]})
