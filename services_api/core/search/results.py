"""Load the records behind a page of search results, keeping the search order."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services_api.core.directory.reads import FULL_SERVICE_LOAD, SERVICE_AT_LOCATION_LOAD
from services_api.core.search.query import Hit
from services_api.models import Location, Service, ServiceArea, ServiceAtLocation


@dataclass(frozen=True)
class PlaceResult:
    """A result of /service_at_locations: a service at a place, or a service by the area it covers."""

    hit: Hit
    service: Service
    link: ServiceAtLocation | None = None
    service_area: ServiceArea | None = None

    def __getattr__(self, name: str) -> Any:
        """Read the remaining HSDS fields from the service-at-location (none for an area match)."""
        return getattr(self.link, name) if self.link is not None else None

    id = property(lambda self: self.hit.id)
    service_id = property(lambda self: self.hit.service_id)
    location_id = property(lambda self: self.hit.location_id)
    match = property(lambda self: self.hit.match)
    distance_km = property(lambda self: _rounded(self.hit.distance_km))
    beyond_radius = property(lambda self: self.hit.beyond_radius)


def _rounded(distance: float | None) -> float | None:
    """Round a distance to metres for output (the search orders by the exact value)."""
    return None if distance is None else round(distance, 3)


@dataclass(frozen=True)
class ServiceResult:
    """A result of /services: a service, found at its nearest place or by its area."""

    hit: Hit
    service: Service

    def __getattr__(self, name: str) -> Any:
        """Read the HSDS fields from the service."""
        return getattr(self.service, name)

    match = property(lambda self: self.hit.match)
    distance_km = property(lambda self: _rounded(self.hit.distance_km))
    beyond_radius = property(lambda self: self.hit.beyond_radius)
    service_at_location_id = property(lambda self: self.hit.service_at_location_id)
    service_area_id = property(lambda self: self.hit.service_area_id)


def load_place_results(session: Session, hits: Sequence[Hit], *, full: bool) -> list[PlaceResult]:
    """Return the page's results with their service-at-location or service area, and service, loaded."""
    services = _services(session, {hit.service_id for hit in hits}, full=full)
    link_ids = [hit.service_at_location_id for hit in hits if hit.service_at_location_id]
    link_load = (
        SERVICE_AT_LOCATION_LOAD
        if full
        else (selectinload(ServiceAtLocation.location).selectinload(Location.addresses),)
    )
    links = {
        link.id: link
        for link in session.scalars(
            select(ServiceAtLocation).where(ServiceAtLocation.id.in_(link_ids)).options(*link_load)
        )
    }
    area_ids = [hit.service_area_id for hit in hits if hit.service_area_id]
    areas = {
        area.id: area for area in session.scalars(select(ServiceArea).where(ServiceArea.id.in_(area_ids)))
    }
    return place_results(hits, services=services, links=links, areas=areas)


def place_results(
    hits: Sequence[Hit], *, services: Mapping[Any, Any], links: Mapping[Any, Any], areas: Mapping[Any, Any]
) -> list[PlaceResult]:
    """Pair each hit with its loaded service, and its service-at-location or service area, by id."""
    return [
        PlaceResult(
            hit=hit,
            service=services[hit.service_id],
            link=links.get(hit.service_at_location_id) if hit.service_at_location_id else None,
            service_area=areas.get(hit.service_area_id) if hit.service_area_id else None,
        )
        for hit in hits
    ]


def load_service_results(session: Session, hits: Sequence[Hit], *, full: bool) -> list[ServiceResult]:
    """Return the page's results with their services loaded."""
    services = _services(session, {hit.service_id for hit in hits}, full=full)
    return [ServiceResult(hit=hit, service=services[hit.service_id]) for hit in hits]


def _services(session: Session, service_ids: set[uuid.UUID], *, full: bool) -> dict[uuid.UUID, Service]:
    load = FULL_SERVICE_LOAD if full else (selectinload(Service.organization),)
    query = select(Service).where(Service.id.in_(service_ids)).options(*load)
    return {service.id: service for service in session.scalars(query)}
