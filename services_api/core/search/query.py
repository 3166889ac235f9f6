"""Nearest-first search of public listings around a point or in a map box, with every filter.

Results are physical places (service-at-locations, at their public points) and services that cover
an area containing the point (outreach, helplines), which count as distance 0 and come after
physical places at the same distance. Every listing inside the radius is found and none outside it,
except the nearest others that `min_results` adds, marked `beyond_radius`. Listed per service, a
service appears once, at its nearest matching place.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import Any, cast

from sqlalchemy import ColumnElement, Float, Row, Select, bindparam, func, select
from sqlalchemy.orm import Session

from services_api.core.directory.reads import (
    ANY_PLACE,
    ListingFilters,
    TermsAt,
    listing_conditions,
    listing_params,
    listing_shape,
    listing_template,
)
from services_api.core.directory.visibility import PublicView
from services_api.core.paging import Page
from services_api.core.search.keywords import by_relevance
from services_api.core.search.opening_hours import OpeningTimes
from services_api.core.search.spatial_index import SpatialIndex, spatial_index_for
from services_api.geo.areas import parse_extent
from services_api.geo.sphere import Box, Point, distance_km
from services_api.models import Service, ServiceArea, ServiceAtLocation

LOCATION_MATCH = "location"
SERVICE_AREA_MATCH = "service_area"
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
        return (self.distance_km or 0.0, 0 if self.match == LOCATION_MATCH else 1, str(self.id))


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
    """Return one page of results, nearest first (by relevance, then service name, when no point is given)."""
    hits, total = _Searcher(session, query).run()
    return Page(items=hits, total_items=total, page_number=query.page, per_page=query.per_page)


_STATEMENTS: dict[tuple[Any, ...], Select[Any]] = {}


def _areas_around() -> Select[Any]:
    """Select the service areas whose bounding box holds the point (`area_lat`, `area_lng`)."""
    latitude, longitude = bindparam("area_lat", type_=Float), bindparam("area_lng", type_=Float)
    statement = (
        select(ServiceArea.id, ServiceArea.service_id, ServiceArea.extent, ServiceArea.extent_type)
        .where(
            ServiceArea.service_id.is_not(None),
            ServiceArea.min_latitude <= latitude,
            ServiceArea.max_latitude >= latitude,
            ServiceArea.min_longitude <= longitude,
            ServiceArea.max_longitude >= longitude,
        )
        .order_by(ServiceArea.id)
    )
    return cast(Select[Any], statement)


def _covers(extent: str | None, extent_type: str | None, point: Point) -> bool:
    shape = parse_extent(extent, extent_type)
    return shape is not None and shape.contains(point)


class _Searcher:
    def __init__(self, session: Session, query: Query):
        self.session = session
        self.query = query
        self.dialect = session.get_bind().dialect.name
        self.index: SpatialIndex = spatial_index_for(self.dialect)
        # Term sets the index can test by bit mask leave the filters joined to services.
        masks = self.index.term_masks(session.connection(), query.filters.required_terms)
        place_filters = replace(
            query.filters,
            required_terms=tuple(
                terms for terms, mask in zip(query.filters.required_terms, masks, strict=True) if mask is None
            ),
        )
        self.term_masks = [mask for mask in masks if mask is not None]
        self.place_shape = listing_shape(place_filters)
        self.shape = (*self.place_shape, len(self.term_masks))
        self.params = {
            **query.view.params(),
            **listing_params(session, place_filters),
            **{f"geo_terms_{number}": mask for number, mask in enumerate(self.term_masks)},
        }
        self.offset = (query.page - 1) * query.per_page
        self.opening_times = OpeningTimes(session)
        self.area_hits: list[Hit] = []

    def conditions(self, terms_at: TermsAt) -> list[ColumnElement[bool]]:
        """Return the visibility and every filter condition on services, values bound by name.

        Terms count on the service and on the location `terms_at` names (see `listing_conditions`).
        """
        filters = self.query.filters
        return [
            self.query.view.service_filter(),
            *listing_conditions(self.session, filters, terms_at=terms_at),
        ]

    @cached_property
    def filters(self) -> list[ColumnElement[bool]]:
        """Return the filter conditions on services that places still need besides their term masks."""
        location = self.index.place_columns()["location_id"]
        return listing_template(self.place_shape, self.params, terms_at=location)

    def _statement(
        self, purpose: str, per: str, spatial: str, build: Callable[[], Select[Any]]
    ) -> Select[Any]:
        """Return the statement for this purpose and filter shape, built once per process."""
        key = (self.dialect, purpose, per, spatial, self.shape)
        statement = _STATEMENTS.get(key)
        if statement is None:
            statement = _STATEMENTS[key] = build()
        return statement

    def _spatial_condition(self, spatial: str) -> ColumnElement[bool]:
        """Return the condition named like `within1` or `boxes2` (its kind and its number of boxes)."""
        conditions = {"within": self.index.within, "boxes": self.index.in_boxes, "beyond": self.index.beyond}
        return conditions[spatial[:-1]](int(spatial[-1]))

    def _rows_statement(self, per: str, spatial: str) -> Select[Any]:
        build = self._builder(per)
        return self._statement(
            "rows", per, spatial, lambda: build(self._spatial_condition(spatial), self.index.nearness())
        )

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
        merged = self._merge(self._places(area, limit=needed, expected=total) + self.area_hits)
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

        def statement(boxes: int) -> Select[Any]:
            return self._rows_statement(per, f"beyond{boxes}")

        limit = wanted + len(found)
        while True:
            rows = self.index.nearest_beyond(
                self.session.connection(), statement, self.params, area.origin, area.radius_km, limit
            )
            hits = [self._hit(row, area.origin, beyond=True) for row in rows]
            hits = [hit for hit in self._merge(self._open_only(hits)) if self._key(hit) not in found]
            if len(hits) >= wanted or len(rows) < limit:
                return hits[:wanted]
            limit *= 4

    def _places(
        self, area: SearchArea, limit: int | None, per: str | None = None, expected: int | None = None
    ) -> list[Hit]:
        """Return the places inside the area, nearest first (all of them, or the first `limit`).

        `expected`, the number of results inside the radius, lets the index pick its first
        search circle.
        """
        per = per or self.query.per
        connection = self.session.connection()
        if limit is not None and not area.boxes:
            assert area.radius_km is not None

            def statement(boxes: int) -> Select[Any]:
                return self._rows_statement(per, f"within{boxes}")

            rows = self.index.nearest(
                connection, statement, self.params, area.origin, area.radius_km, limit, expected=expected
            )
        else:
            spatial, params = self._spatial(area)
            found = self._rows_statement(per, spatial)
            if limit is not None:
                found = found.limit(limit)
            rows = connection.execute(
                found, {**self.params, **params, **self.index.nearness_params(area.origin)}
            ).all()
        return [self._hit(row, area.origin) for row in rows]

    def _spatial(self, area: SearchArea) -> tuple[str, dict[str, Any]]:
        """Return which spatial condition keeps places inside the area, and its values."""
        if area.boxes:
            params = self.index.boxes_params(area.boxes)
            return f"boxes{params['geo_box_count']}", params
        assert area.radius_km is not None
        params = self.index.within_params(area.origin, area.radius_km)
        return f"within{params.get('geo_box_count', 2)}", params

    def _builder(self, per: str) -> Any:
        return self._per_service_rows if per == PER_SERVICE else self._per_place_rows

    def _place_columns(self) -> tuple[Any, ...]:
        return tuple(column.label(name) for name, column in self.index.place_columns().items())

    def _per_place_rows(self, spatial: ColumnElement[bool], nearness: ColumnElement[Any]) -> Select[Any]:
        sal_id = self.index.place_columns()["sal_id"]
        return self._joined(*self._place_columns()).where(spatial).order_by(nearness, sal_id)

    def _per_service_rows(self, spatial: ColumnElement[bool], nearness: ColumnElement[Any]) -> Select[Any]:
        columns = self.index.place_columns()
        rank = func.row_number().over(
            partition_by=columns["service_id"], order_by=(nearness, columns["sal_id"])
        )
        ranked = (
            self._joined(*self._place_columns(), nearness.label("nearness"), rank.label("rank"))
            .where(spatial)
            .subquery()
        )
        return select(ranked).where(ranked.c.rank == 1).order_by(ranked.c.nearness, ranked.c.service_id)

    def _joined(self, *columns: Any) -> Select[Any]:
        return self.index.places(
            *columns,
            conditions=self.filters,
            term_masks=len(self.term_masks),
        )

    def _count(self, area: SearchArea) -> int:
        """Count results inside the area, each service (or place) and area once."""
        spatial, spatial_params = self._spatial(area)
        params = {**self.params, **spatial_params}
        connection = self.session.connection()
        per = self.query.per
        columns = self.index.place_columns()
        counted = func.count(columns["service_id"].distinct()) if per == PER_SERVICE else func.count()
        statement = self._statement(
            "count",
            per,
            spatial,
            lambda: self._joined(counted).where(self._spatial_condition(spatial)),
        )
        total = (connection.execute(statement, params).scalar() or 0) + len(self.area_hits)
        area_services = sorted({hit.service_id for hit in self.area_hits})
        if per == PER_SERVICE and area_services:
            twice = statement.where(columns["service_id"].in_(bindparam("area_services", expanding=True)))
            total -= connection.execute(twice, {**params, "area_services": area_services}).scalar() or 0
        return total

    def _hit(self, row: Row[Any], origin: Point, beyond: bool = False) -> Hit:
        return Hit(
            match=LOCATION_MATCH,
            service_id=row.service_id,
            service_at_location_id=row.sal_id,
            location_id=row.location_id,
            distance_km=distance_km(origin, Point(row.latitude, row.longitude)),
            beyond_radius=beyond,
        )

    def _service_area_hits(self, origin: Point) -> list[Hit]:
        """Return one result per public service whose area contains the point."""
        areas = self._statement("areas", "", "", _areas_around)
        rows = self.session.connection().execute(
            areas, {"area_lat": origin.latitude, "area_lng": origin.longitude}
        )
        covering = [row for row in rows if _covers(row.extent, row.extent_type, origin)]
        if not covering:
            return []
        candidates = {row.service_id for row in covering}
        public = set(
            self.session.scalars(select(Service.id).where(Service.id.in_(candidates), *self.conditions(None)))
        )
        hits: dict[uuid.UUID, Hit] = {}
        for row in covering:
            if row.service_id in public:
                hits.setdefault(
                    row.service_id,
                    Hit(
                        SERVICE_AREA_MATCH,
                        row.service_id,
                        service_area_id=row.id,
                        distance_km=0.0,
                        beyond_radius=False,
                    ),
                )
        return list(hits.values())

    def _by_name(self) -> list[Hit]:
        """Return every matching listing (no point given), most relevant to the keywords first, then by
        service name; open ones only if asked."""
        filters = self.query.filters
        unranked = replace(filters, search=None)  # the keywords rank as well as filter: by_relevance

        def conditions(terms_at: TermsAt) -> list[ColumnElement[bool]]:
            return [
                self.query.view.service_filter(),
                *listing_conditions(self.session, unranked, terms_at=terms_at),
            ]

        def ranked(statement: Any, then: tuple[Any, ...]) -> Select[Any]:
            return by_relevance(statement, dialect=self.dialect, search=filters.search, then=then)

        if self.query.per == PER_SERVICE:
            statement = ranked(select(Service.id).where(*conditions(ANY_PLACE)), (Service.name, Service.id))
            hits = [Hit(None, service_id) for service_id in self.session.scalars(statement)]
            if self.query.open_at is None:
                return hits
            return self.opening_times.open_services(hits, self.query.open_at)
        rows = self.session.execute(
            ranked(
                select(ServiceAtLocation.id, ServiceAtLocation.service_id, ServiceAtLocation.location_id)
                .join(Service, Service.id == ServiceAtLocation.service_id)
                .where(*conditions(ServiceAtLocation.location_id)),
                (Service.name, ServiceAtLocation.id),
            )
        ).all()
        return self._open_only([Hit(None, row.service_id, row.id, row.location_id) for row in rows])
