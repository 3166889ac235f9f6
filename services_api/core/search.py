"""Nearest-first search of public listings around a point or in a map box, with every filter.

Results are physical places (service-at-locations, at their public points) and services that cover
an area containing the point (outreach, helplines), which count as distance 0 and come after
physical places at the same distance. Every listing inside the radius is found and none outside it,
except the nearest others that `min_results` adds, marked `beyond_radius`. Listed per service, a
service appears once, at its nearest matching place.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, select
from sqlalchemy.orm import Session

from ..geo.index import SpatialIndex, spatial_index_for
from ..geo.sphere import Box, Point, distance_km
from ..models import Location, Service, ServiceArea, ServiceAtLocation
from .directory import ListingFilters, Page, listing_conditions
from .opening_hours import OpeningTimes
from .visibility import PublicView

LOCATION = "location"
SERVICE_AREA = "service_area"
PER_PLACE = "service_at_location"
PER_SERVICE = "service"


@dataclass(frozen=True)
class SearchArea:
    """Where to search: within `radius_km` of `origin`, or inside map `boxes` (nearest `origin` first)."""

    origin: Point
    radius_km: float | None = None
    boxes: tuple[Box, ...] = ()


@dataclass(frozen=True)
class Hit:
    """One result: a place where a service is delivered, or a service area covering the point."""

    match: str | None
    service_id: uuid.UUID
    service_at_location_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
    service_area_id: uuid.UUID | None = None
    distance_km: float | None = None
    beyond_radius: bool | None = None

    @property
    def id(self) -> uuid.UUID:
        """Return the id this result is listed under in /service_at_locations."""
        return self.service_at_location_id or self.service_area_id or self.service_id

    def order(self) -> tuple[float, int, str]:
        """Return the sort key: exact distance, then physical places before areas, then id."""
        return (self.distance_km or 0.0, 0 if self.match == LOCATION else 1, str(self.id))


@dataclass(frozen=True)
class Query:
    """Everything one search needs besides the database."""

    view: PublicView
    per: str
    filters: ListingFilters
    area: SearchArea | None
    open_at: datetime | None
    page: int
    per_page: int
    min_results: int = 0


def search(session: Session, query: Query) -> Page[Hit]:
    """Return one page of results, nearest first (by service name when no point is given)."""
    hits, total = _Searcher(session, query).run()
    return Page(items=hits, total_items=total, page_number=query.page, per_page=query.per_page)


def _covers(service_area: ServiceArea, point: Point) -> bool:
    shape = service_area.area()
    return service_area.service_id is not None and shape is not None and shape.contains(point)


class _Searcher:
    def __init__(self, session: Session, query: Query):
        self.session = session
        self.query = query
        self.index: SpatialIndex = spatial_index_for(session.get_bind().dialect.name)
        self.conditions = [query.view.service_filter(), *listing_conditions(session, query.filters)]
        self.offset = (query.page - 1) * query.per_page
        self.opening_times = OpeningTimes(session)
        self.area_hits: list[Hit] = []

    def run(self) -> tuple[list[Hit], int]:
        query, area = self.query, self.query.area
        if area is None:
            return self._window(self._by_name())
        self.area_hits = self._service_area_hits(area.origin)
        if query.open_at is not None:
            within = self._merge(
                self._open_only(self._places(area, limit=None, per=PER_PLACE) + self.area_hits)
            )
            return self._window(within + self._extras(area, within))
        total = self._count(area)
        if query.min_results and total < query.min_results:
            within = self._merge(self._places(area, limit=None) + self.area_hits)
            return self._window(within + self._extras(area, within))
        needed = self.offset + query.per_page + len(self.area_hits)
        merged = self._merge(self._places(area, limit=needed) + self.area_hits)
        return merged[self.offset : self.offset + query.per_page], total

    def _window(self, hits: list[Hit]) -> tuple[list[Hit], int]:
        hits = self._merge(hits) if self.query.area is not None else hits
        return hits[self.offset : self.offset + self.query.per_page], len(hits)

    def _merge(self, hits: Iterable[Hit]) -> list[Hit]:
        """Sort into search order; keep one result per service (or per place) and area."""
        result, seen = [], set()
        for hit in sorted(hits, key=Hit.order):
            key = self._key(hit)
            if key not in seen:
                seen.add(key)
                result.append(hit)
        return result

    def _key(self, hit: Hit) -> uuid.UUID:
        """Return what makes a result distinct: its service (per service) or its place or area."""
        return hit.service_id if self.query.per == PER_SERVICE else hit.id

    def _open_only(self, hits: list[Hit]) -> list[Hit]:
        """Keep the results open at `open_at` in their own time zone; unknown hours are left out."""
        if self.query.open_at is None:
            return hits
        return self.opening_times.open_hits(hits, self.query.open_at)

    def _extras(self, area: SearchArea, within: list[Hit]) -> list[Hit]:
        """Return the nearest listings beyond the radius, as many as `min_results` still wants."""
        wanted = self.query.min_results - len(within)
        if wanted <= 0 or area.radius_km is None:
            return []
        found = {self._key(hit) for hit in within}
        per = PER_PLACE if self.query.open_at is not None else self.query.per
        statement = self._builder(per)(self.index.beyond(), self.index.nearness())
        limit = wanted + len(found)
        while True:
            rows = self.index.nearest_beyond(
                self.session.connection(), statement, area.origin, area.radius_km, limit
            )
            hits = [self._hit(row, area.origin, beyond=True) for row in rows]
            hits = [hit for hit in self._merge(self._open_only(hits)) if self._key(hit) not in found]
            if len(hits) >= wanted or len(rows) < limit:
                return hits[:wanted]
            limit *= 4

    def _places(self, area: SearchArea, limit: int | None, per: str | None = None) -> list[Hit]:
        """Return the places inside the area, nearest first (all of them, or the first `limit`)."""
        build = self._builder(per or self.query.per)
        connection = self.session.connection()
        if limit is not None and not area.boxes:
            assert area.radius_km is not None
            statement = build(self.index.within(), self.index.nearness())
            rows = self.index.nearest(connection, statement, area.origin, area.radius_km, limit)
        else:
            spatial, params = self._spatial(area)
            statement = build(spatial, self.index.nearness())
            if limit is not None:
                statement = statement.limit(limit)
            rows = connection.execute(statement, {**params, **self.index.nearness_params(area.origin)}).all()
        return [self._hit(row, area.origin) for row in rows]

    def _spatial(self, area: SearchArea) -> tuple[ColumnElement[bool], dict[str, Any]]:
        """Return the condition that keeps places inside the area, and its values."""
        if area.boxes:
            return self.index.in_boxes(), self.index.boxes_params(area.boxes)
        assert area.radius_km is not None
        return self.index.within(), self.index.within_params(area.origin, area.radius_km)

    def _builder(self, per: str) -> Any:
        return self._per_service_rows if per == PER_SERVICE else self._per_place_rows

    def _place_columns(self) -> tuple[Any, ...]:
        return (
            ServiceAtLocation.id.label("sal_id"),
            ServiceAtLocation.service_id.label("service_id"),
            Location.id.label("location_id"),
            Location.public_latitude.label("latitude"),
            Location.public_longitude.label("longitude"),
        )

    def _per_place_rows(self, spatial: ColumnElement[bool], nearness: ColumnElement[Any]) -> Select[Any]:
        return self._joined(*self._place_columns()).where(spatial).order_by(nearness, ServiceAtLocation.id)

    def _per_service_rows(self, spatial: ColumnElement[bool], nearness: ColumnElement[Any]) -> Select[Any]:
        rank = func.row_number().over(
            partition_by=ServiceAtLocation.service_id, order_by=(nearness, ServiceAtLocation.id)
        )
        ranked = (
            self._joined(*self._place_columns(), nearness.label("nearness"), rank.label("rank"))
            .where(spatial)
            .subquery()
        )
        return select(ranked).where(ranked.c.rank == 1).order_by(ranked.c.nearness, ranked.c.service_id)

    def _joined(self, *columns: Any) -> Select[Any]:
        return (
            select(*columns)
            .select_from(ServiceAtLocation)
            .join(Service, Service.id == ServiceAtLocation.service_id)
            .join(Location, Location.id == ServiceAtLocation.location_id)
            .where(Location.public_latitude.is_not(None), *self.conditions)
        )

    def _count(self, area: SearchArea) -> int:
        """Count results inside the area, each service (or place) and area once."""
        spatial, params = self._spatial(area)
        connection = self.session.connection()
        if self.query.per != PER_SERVICE:
            places = connection.execute(self._joined(func.count()).where(spatial), params).scalar()
            return (places or 0) + len(self.area_hits)
        services = self._joined(func.count(ServiceAtLocation.service_id.distinct())).where(spatial)
        total = (connection.execute(services, params).scalar() or 0) + len(self.area_hits)
        area_services = {hit.service_id for hit in self.area_hits}
        if area_services:
            counted_twice = services.where(ServiceAtLocation.service_id.in_(area_services))
            total -= connection.execute(counted_twice, params).scalar() or 0
        return total

    def _hit(self, row: Row[Any], origin: Point, beyond: bool = False) -> Hit:
        return Hit(
            match=LOCATION,
            service_id=row.service_id,
            service_at_location_id=row.sal_id,
            location_id=row.location_id,
            distance_km=distance_km(origin, Point(row.latitude, row.longitude)),
            beyond_radius=beyond,
        )

    def _service_area_hits(self, origin: Point) -> list[Hit]:
        """Return one result per public service whose area contains the point."""
        around = (
            select(ServiceArea)
            .where(
                ServiceArea.min_latitude <= origin.latitude,
                ServiceArea.max_latitude >= origin.latitude,
                ServiceArea.min_longitude <= origin.longitude,
                ServiceArea.max_longitude >= origin.longitude,
            )
            .order_by(ServiceArea.id)
        )
        covering = [area for area in self.session.scalars(around) if _covers(area, origin)]
        if not covering:
            return []
        candidates = {area.service_id for area in covering}
        public = set(
            self.session.scalars(select(Service.id).where(Service.id.in_(candidates), *self.conditions))
        )
        hits: dict[uuid.UUID, Hit] = {}
        for area in covering:
            if area.service_id in public:
                hits.setdefault(
                    area.service_id,
                    Hit(
                        SERVICE_AREA,
                        area.service_id,
                        service_area_id=area.id,
                        distance_km=0.0,
                        beyond_radius=False,
                    ),
                )
        return list(hits.values())

    def _by_name(self) -> list[Hit]:
        """Return every matching listing by service name (no point given), open ones only if asked."""
        if self.query.per == PER_SERVICE:
            statement = select(Service.id).where(*self.conditions).order_by(Service.name, Service.id)
            hits = [Hit(None, service_id) for service_id in self.session.scalars(statement)]
            if self.query.open_at is None:
                return hits
            return self.opening_times.open_services(hits, self.query.open_at)
        rows = self.session.execute(
            self._joined(
                ServiceAtLocation.id, ServiceAtLocation.service_id, ServiceAtLocation.location_id
            ).order_by(Service.name, ServiceAtLocation.id)
        ).all()
        return self._open_only([Hit(None, row.service_id, row.id, row.location_id) for row in rows])
