"""Turn a request's place (a point, a place name, a postcode or a map box) and codes into search terms."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_api.core.directory.reads import terms_below
from services_api.core.errors import BadParameterError, InvalidError
from services_api.core.geocoding.places import Resolution, ResolvedPlace, UnknownPlaceError, resolve_place
from services_api.core.search.query import SearchArea
from services_api.geo.sphere import Box, Point, split_at_antimeridian
from services_api.models import TaxonomyTerm


class PlaceNotFoundError(InvalidError):
    """A place name or postcode the offline gazetteer does not know, with up to five it may have meant."""

    def __init__(
        self, parameter: str, query: str, suggestions: Sequence[ResolvedPlace] = (), message: str = ""
    ):
        message = message or f"No place or postcode {query!r} in the gazetteer."
        detail = [message]
        if suggestions:
            detail.append("Did you mean: " + "; ".join(place.near for place in suggestions) + "?")
        problems = {parameter: detail, "suggestions": [place.as_json() for place in suggestions]}
        super().__init__(message, problems=problems)
        self.parameter = parameter
        self.suggestions = tuple(suggestions)


class UnknownCodeError(BadParameterError):
    """A category or attribute code that no taxonomy term has."""

    def __init__(self, parameter: str, code: str):
        problem = f"Unknown {parameter} code {code!r}: see /api/v1/taxonomy_terms."
        super().__init__(f"Invalid query parameter: {parameter}", problems={parameter: [problem]})
        self.parameter = parameter


def placed_search_area(
    session: Session,
    *,
    point: tuple[float, float] | None,
    near: str | None,
    postcode: str | None,
    radius_km: float,
    bbox: tuple[float, float, float, float] | None,
    countries: Sequence[str] = (),
) -> tuple[SearchArea | None, Resolution | None]:
    """Return where to search and, for a place name or postcode, the place it resolved to."""
    resolution = _resolution(session, near, postcode, countries)
    origin = Point(*point) if point is not None else resolution.place.point if resolution else None
    if bbox is not None:
        west, south, east, north = bbox
        boxes = tuple(split_at_antimeridian(south, west, north, east if east >= west else east + 360))
        return SearchArea(origin=origin or _centre(boxes), boxes=boxes), resolution
    if origin is None:
        return None, None
    return SearchArea(origin=origin, radius_km=radius_km), resolution


def _resolution(
    session: Session, near: str | None, postcode: str | None, countries: Sequence[str]
) -> Resolution | None:
    for parameter, query in (("near", near), ("postcode", postcode)):
        if query:
            try:
                return resolve_place(session, query=query, countries=countries)
            except UnknownPlaceError as error:
                raise PlaceNotFoundError(parameter, query, error.suggestions, str(error)) from None
    return None


def _centre(boxes: Sequence[Box]) -> Point:
    south, north = boxes[0].min_latitude, boxes[0].max_latitude
    west, east = boxes[0].min_longitude, boxes[-1].max_longitude
    if len(boxes) == 2:
        east += 360
    longitude = (west + east) / 2
    return Point((south + north) / 2, longitude - 360 if longitude > 180 else longitude)


def required_terms(
    session: Session, *, category: str | None, attributes: Sequence[str]
) -> tuple[frozenset[uuid.UUID], ...]:
    """Return the term-id sets a listing must match: the category with its sub-terms, then each attribute."""
    sets = []
    if category:
        sets.append(_with_descendants(session, "category", category))
    for code in attributes:
        sets.append(frozenset(_terms_with_code(session, "attribute", code)))
    return tuple(sets)


def _with_descendants(session: Session, parameter: str, code: str) -> frozenset[uuid.UUID]:
    found = terms_below(session, by="code", value=code)
    if not found:
        raise UnknownCodeError(parameter, code)
    return frozenset(found)


def _terms_with_code(session: Session, parameter: str, code: str) -> list[uuid.UUID]:
    ids = list(session.scalars(select(TaxonomyTerm.id).where(TaxonomyTerm.code == code)))
    if not ids:
        raise UnknownCodeError(parameter, code)
    return ids
