"""A brute-force reference search over every row, to check the indexed search against."""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_api.core.directory.visibility import PublicView
from services_api.core.search.opening_hours import OpeningTimes
from services_api.core.search.text import fold
from services_api.models import Service, TaxonomyTerm

EARTH_RADIUS_KM = 6371.0087714


@dataclass(frozen=True)
class Expected:
    """One result the reference finds: the id it is listed under, its service, its exact distance."""

    id: str
    service_id: str
    match: str
    distance_km: float
    beyond_radius: bool = False
    service_at_location_id: uuid.UUID | None = None

    def order(self) -> tuple[float, int, str]:
        """Sort like the search: distance, places before areas, id."""
        return (self.distance_km, 0 if self.match == "location" else 1, self.id)


@dataclass(frozen=True)
class _Probe:
    service_id: uuid.UUID
    service_at_location_id: uuid.UUID | None
    expected: Expected


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Return the great-circle distance, computed independently of the app's code."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _inside(extent: str, lat: float, lng: float) -> bool:
    data = json.loads(extent)
    if data["type"] == "Feature" and data["geometry"]["type"] == "Point":
        centre_lng, centre_lat = data["geometry"]["coordinates"]
        return haversine_km(lat, lng, centre_lat, centre_lng) <= data["properties"]["radius_km"]
    geometry = data["geometry"] if data["type"] == "Feature" else data
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for rings in polygons:
        if _in_ring(rings[0], lat, lng) and not any(_in_ring(hole, lat, lng) for hole in rings[1:]):
            return True
    return False


def _in_ring(ring: list[list[float]], lat: float, lng: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in pairwise(ring):
        if (y1 > lat) != (y2 > lat) and lng < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _descendants(session: Session, code: str) -> set[uuid.UUID]:
    terms = session.scalars(select(TaxonomyTerm)).all()
    found = {term.id for term in terms if term.code == code}
    grew = True
    while grew:
        more = {term.id for term in terms if term.parent_id in found} - found
        found |= more
        grew = bool(more)
    return found


def reference_search(
    session: Session,
    view: PublicView,
    *,
    lat: float,
    lng: float,
    radius_km: float,
    per_service: bool = False,
    category: str | None = None,
    attributes: tuple[str, ...] = (),
    language: str | None = None,
    search: str | None = None,
    open_at: datetime | None = None,
    min_results: int = 0,
) -> list[Expected]:
    """Return every expected result in order, by looking at every public service."""
    required = [_descendants(session, category)] if category else []
    required += [_descendants(session, code) for code in attributes]
    candidates: list[Expected] = []
    for service in session.scalars(select(Service)).all():
        if not view.is_public(service):
            continue
        term_ids = {attribute.taxonomy_term_id for attribute in service.attributes}
        if any(not (term_ids & needed) for needed in required):
            continue
        if language and not _speaks(service, language):
            continue
        if search and not all(word in service.search_text for word in fold(search).split()):
            continue
        for link in service.service_at_locations:
            location = link.location
            if location.public_latitude is None or location.public_longitude is None:
                continue
            distance = haversine_km(lat, lng, location.public_latitude, location.public_longitude)
            candidates.append(
                Expected(str(link.id), str(service.id), "location", distance, service_at_location_id=link.id)
            )
        areas = [area for area in service.service_areas if area.extent and _inside(area.extent, lat, lng)]
        if areas:
            first = min(areas, key=lambda area: str(area.id))
            candidates.append(Expected(str(first.id), str(service.id), "service_area", 0.0))
    if open_at is not None:
        probes = [_Probe(uuid.UUID(c.service_id), c.service_at_location_id, c) for c in candidates]
        candidates = [probe.expected for probe in OpeningTimes(session).open_hits(probes, open_at)]
    candidates.sort(key=Expected.order)
    if per_service:
        seen: set[str] = set()
        candidates = [c for c in candidates if not (c.service_id in seen or seen.add(c.service_id))]  # type: ignore[func-returns-value]
    within = [c for c in candidates if c.distance_km <= radius_km]
    if len(within) < min_results:
        beyond = [c for c in candidates if c.distance_km > radius_km]
        within += [
            Expected(**{**c.__dict__, "beyond_radius": True}) for c in beyond[: min_results - len(within)]
        ]
    return within


def _speaks(service: Service, code: str) -> bool:
    codes = {language.code for language in service.languages}
    codes |= {language.code for link in service.service_at_locations for language in link.location.languages}
    codes |= {language.code for phone in service.phones for language in phone.languages}
    return code in {c.lower() for c in codes if c}
