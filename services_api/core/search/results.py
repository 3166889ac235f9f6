"""Load the records behind a page of search results, keeping the search order."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services_api.core.directory.reads import FULL_SERVICE_LOAD, SERVICE_AT_LOCATION_LOAD
from services_api.core.search.query import Hit
from services_api.core.search.result_summary import Summary, summarize
from services_api.models import Location, Service, ServiceArea, ServiceAtLocation, utcnow


@dataclass(frozen=True)
class PlaceResult:
    """A result of /service_at_locations: a service at a place, or a service by the area it covers."""

    hit: Hit
    service: Service
    link: ServiceAtLocation | None = None
    service_area: ServiceArea | None = None
    summary: Summary | None = None

    def __getattr__(self, name: str) -> Any:
        """Read the remaining HSDS fields from the service-at-location (none for an area match)."""
        if name in SUMMARY_FIELDS:
            return getattr(self.summary, name, None)
        return getattr(self.link, name) if self.link is not None else None

    id = property(lambda self: self.hit.id)
    service_id = property(lambda self: self.hit.service_id)
    location_id = property(lambda self: self.hit.location_id)
    match = property(lambda self: self.hit.match)
    distance_km = property(lambda self: _rounded(self.hit.distance_km))
    beyond_radius = property(lambda self: self.hit.beyond_radius)


SUMMARY_FIELDS = frozenset(
    ("open_now", "hours_today", "phone_numbers", "languages_spoken", "categories", "access_and_safety")
)


def _rounded(distance: float | None) -> float | None:
    """Round a distance to metres for output (the search orders by the exact value)."""
    return None if distance is None else round(distance, 3)


@dataclass(frozen=True)
class ServiceResult:
    """A result of /services: a service, found at its nearest place or by its area."""

    hit: Hit
    service: Service
    summary: Summary | None = None

    def __getattr__(self, name: str) -> Any:
        """Read the HSDS fields from the service, and the summary's (see `result_summary`)."""
        if name in SUMMARY_FIELDS:
            return getattr(self.summary, name, None)
        return getattr(self.service, name)

    match = property(lambda self: self.hit.match)
    distance_km = property(lambda self: _rounded(self.hit.distance_km))
    beyond_radius = property(lambda self: self.hit.beyond_radius)
    service_at_location_id = property(lambda self: self.hit.service_at_location_id)
    service_area_id = property(lambda self: self.hit.service_area_id)
    location = property(lambda self: self.summary.location if self.summary else None)


def load_place_results(
    session: Session, hits: Sequence[Hit], *, full: bool, now: datetime | None = None
) -> list[PlaceResult]:
    """Return the page's results with their service-at-location or service area, and service, loaded.

    Each carries its summary (`result_summary`) as of `now` (default: this instant).
    """
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
    summaries = summarize(session, hits, now=now or utcnow(), locations=False)
    return place_results(hits, services=services, links=links, areas=areas, summaries=summaries)


def place_results(
    hits: Sequence[Hit],
    *,
    services: Mapping[Any, Any],
    links: Mapping[Any, Any],
    areas: Mapping[Any, Any],
    summaries: Sequence[Summary],
) -> list[PlaceResult]:
    """Pair each hit with its loaded service, its service-at-location or service area, and summary."""
    return [
        PlaceResult(
            hit=hit,
            service=services[hit.service_id],
            link=links.get(hit.service_at_location_id) if hit.service_at_location_id else None,
            service_area=areas.get(hit.service_area_id) if hit.service_area_id else None,
            summary=summary,
        )
        for hit, summary in zip(hits, summaries, strict=True)
    ]


def load_service_results(
    session: Session, hits: Sequence[Hit], *, full: bool, now: datetime | None = None
) -> list[ServiceResult]:
    """Return the page's results with their services and summaries (as of `now`) loaded."""
    services = _services(session, {hit.service_id for hit in hits}, full=full)
    summaries = summarize(session, hits, now=now or utcnow(), locations=not full)
    return service_results(hits, services=services, summaries=summaries)


def service_results(
    hits: Sequence[Hit], *, services: Mapping[Any, Any], summaries: Sequence[Summary]
) -> list[ServiceResult]:
    """Pair each hit with its loaded service and its summary."""
    return [
        ServiceResult(hit=hit, service=services[hit.service_id], summary=summary)
        for hit, summary in zip(hits, summaries, strict=True)
    ]


def _services(session: Session, service_ids: set[uuid.UUID], *, full: bool) -> dict[uuid.UUID, Service]:
    load = FULL_SERVICE_LOAD if full else (selectinload(Service.organization),)
    query = select(Service).where(Service.id.in_(service_ids)).options(*load)
    return {service.id: service for service in session.scalars(query)}


def listed_services(
    session: Session, services: Sequence[Service], *, now: datetime | None = None
) -> list[ServiceResult]:
    """Return the services of a plain list (no search) as results, with their summaries as of `now`."""
    hits = [Hit(None, service.id) for service in services]
    summaries = summarize(session, hits, now=now or utcnow(), locations=True)
    return service_results(hits, services={service.id: service for service in services}, summaries=summaries)


def listed_places(
    session: Session, links: Sequence[ServiceAtLocation], *, now: datetime | None = None
) -> list[PlaceResult]:
    """Return the service-at-locations of a plain list as results, with their summaries as of `now`."""
    hits = [Hit(None, link.service_id, link.id, link.location_id) for link in links]
    summaries = summarize(session, hits, now=now or utcnow(), locations=False)
    services = {link.service_id: link.service for link in links}
    return place_results(
        hits, services=services, links={link.id: link for link in links}, areas={}, summaries=summaries
    )
