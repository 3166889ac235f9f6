"""Turn a request's place (a point, a place name, a postcode or a map box) and codes into search terms."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_api.core.directory.reads import terms_below
from services_api.core.errors import BadParameterError, InvalidError
from services_api.core.geocoding.gazetteer import GazetteerGeocoder
from services_api.core.search.query import SearchArea
from services_api.geo.sphere import Box, Point, split_at_antimeridian
from services_api.models import TaxonomyTerm


class PlaceNotFoundError(InvalidError):
    """A place name or postcode the offline gazetteer does not know."""

    def __init__(self, parameter: str, query: str):
        message = f"No place or postcode {query!r} in the gazetteer."
        super().__init__(message, problems={parameter: [message]})
        self.parameter = parameter


class UnknownCodeError(BadParameterError):
    """A category or attribute code that no taxonomy term has."""

    def __init__(self, parameter: str, code: str):
        problem = f"Unknown {parameter} code {code!r}: see /api/v1/taxonomy_terms."
        super().__init__(f"Invalid query parameter: {parameter}", problems={parameter: [problem]})
        self.parameter = parameter


def search_area(
    session: Session,
    *,
    point: tuple[float, float] | None,
    near: str | None,
    postcode: str | None,
    radius_km: float,
    bbox: tuple[float, float, float, float] | None,
) -> SearchArea | None:
    """Return where to search, resolving a place name or postcode offline; None when no place is given."""
    origin = _origin(session, point, near, postcode)
    if bbox is not None:
        west, south, east, north = bbox
        boxes = tuple(split_at_antimeridian(south, west, north, east if east >= west else east + 360))
        return SearchArea(origin=origin or _centre(boxes), boxes=boxes)
    if origin is None:
        return None
    return SearchArea(origin=origin, radius_km=radius_km)


def _origin(
    session: Session, point: tuple[float, float] | None, near: str | None, postcode: str | None
) -> Point | None:
    if point is not None:
        return Point(*point)
    for parameter, query in (("near", near), ("postcode", postcode)):
        if query:
            found = GazetteerGeocoder(session).geocode(query)
            if found is None:
                raise PlaceNotFoundError(parameter, query)
            return Point(found.latitude, found.longitude)
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
