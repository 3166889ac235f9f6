"""Spatial index strategies behind one interface: SQLite R*Tree and PostgreSQL/PostGIS.

Both restrict a query on `location` to a radius or to boxes around public points, and give an
ascending "nearness" key to order by. Nearest-first queries on SQLite grow a search box until the
wanted number of rows is certain; PostGIS orders by its KNN operator on a GiST index.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Float, Row, Select, and_, column, func, literal, or_, table
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnClause

from ..models import Location
from .sphere import EARTH_RADIUS_KM, Box, Point, bounding_boxes, min_dot_within, unit_vector

QueryBuilder = Callable[[ColumnElement[bool], ColumnElement[Any]], Select[Any]]
FIRST_SEARCH_KM = 2.0
GROWTH = 4.0
WORLD_KM = EARTH_RADIUS_KM * 3.2  # more than half the circumference: every point on Earth

location_rtree = table(
    "location_rtree",
    column("id"),
    column("min_latitude", Float),
    column("max_latitude", Float),
    column("min_longitude", Float),
    column("max_longitude", Float),
)
public_geography: ColumnClause[Any] = column("public_geography")


class SpatialIndex(ABC):
    """How one database finds public points near a point or inside boxes."""

    @abstractmethod
    def within(self, origin: Point, radius_km: float) -> ColumnElement[bool]:
        """Return the condition: the location's public point is within `radius_km` of `origin`."""

    @abstractmethod
    def beyond(self, origin: Point, radius_km: float, search_km: float) -> ColumnElement[bool]:
        """Return the condition: farther than `radius_km` but (for the index's sake) within `search_km`."""

    @abstractmethod
    def in_boxes(self, boxes: Sequence[Box]) -> ColumnElement[bool]:
        """Return the condition: the public point lies in one of the boxes."""

    @abstractmethod
    def nearness(self, origin: Point) -> ColumnElement[Any]:
        """Return an expression that grows with distance from `origin` (to order by)."""

    def nearest(
        self, session: Session, build: QueryBuilder, origin: Point, radius_km: float, limit: int
    ) -> Sequence[Row[Any]]:
        """Return up to `limit` rows within `radius_km`, nearest first."""
        return session.execute(
            build(self.within(origin, radius_km), self.nearness(origin)).limit(limit)
        ).all()

    def nearest_beyond(
        self, session: Session, build: QueryBuilder, origin: Point, radius_km: float, limit: int
    ) -> Sequence[Row[Any]]:
        """Return up to `limit` rows farther than `radius_km`, nearest first."""
        search_km = radius_km * GROWTH
        while True:
            condition = self.beyond(origin, radius_km, search_km)
            rows = session.execute(build(condition, self.nearness(origin)).limit(limit)).all()
            if len(rows) >= limit or search_km >= WORLD_KM:
                return rows
            search_km = min(search_km * GROWTH, WORLD_KM)


class SQLiteRTreeIndex(SpatialIndex):
    """SQLite: an R*Tree of public points (kept by triggers), then an exact test on unit vectors."""

    def within(self, origin: Point, radius_km: float) -> ColumnElement[bool]:
        """Return the R*Tree box test plus the exact great-circle test."""
        return and_(
            self._rtree_match(bounding_boxes(origin, radius_km)),
            self._dot(origin) >= min_dot_within(radius_km),
        )

    def beyond(self, origin: Point, radius_km: float, search_km: float) -> ColumnElement[bool]:
        """Return the R*Tree box of the search radius, minus the inner circle."""
        return and_(
            self._rtree_match(bounding_boxes(origin, search_km)),
            self._dot(origin) < min_dot_within(radius_km),
            self._dot(origin) >= min_dot_within(search_km),
        )

    def in_boxes(self, boxes: Sequence[Box]) -> ColumnElement[bool]:
        """Return the R*Tree box test."""
        return self._rtree_match(boxes)

    def nearness(self, origin: Point) -> ColumnElement[Any]:
        """Return minus the dot product of unit vectors: smaller is nearer."""
        return -self._dot(origin)

    def nearest(
        self, session: Session, build: QueryBuilder, origin: Point, radius_km: float, limit: int
    ) -> Sequence[Row[Any]]:
        """Grow a search circle from 2 km until `limit` rows lie inside it (or it reaches the radius)."""
        search_km = min(FIRST_SEARCH_KM, radius_km)
        while True:
            rows = session.execute(
                build(self.within(origin, search_km), self.nearness(origin)).limit(limit)
            ).all()
            if len(rows) >= limit or search_km >= radius_km:
                return rows
            search_km = min(search_km * GROWTH, radius_km)

    @staticmethod
    def _dot(origin: Point) -> ColumnElement[Any]:
        x, y, z = unit_vector(origin.latitude, origin.longitude)
        return Location.public_x * x + Location.public_y * y + Location.public_z * z

    @staticmethod
    def _rtree_match(boxes: Sequence[Box]) -> ColumnElement[bool]:
        rtree = location_rtree.c
        in_any_box = or_(
            *(
                and_(
                    rtree.min_latitude >= box.min_latitude,
                    rtree.max_latitude <= box.max_latitude,
                    rtree.min_longitude >= box.min_longitude,
                    rtree.max_longitude <= box.max_longitude,
                )
                for box in boxes
            )
        )
        matching_keys = location_rtree.select().with_only_columns(rtree.id).where(in_any_box)
        return Location.spatial_key.in_(matching_keys)


class PostGISIndex(SpatialIndex):
    """PostgreSQL: a GiST-indexed geography column; ST_DWithin to restrict, KNN `<->` to order."""

    def within(self, origin: Point, radius_km: float) -> ColumnElement[bool]:
        """Return ST_DWithin on the sphere (as the SQLite index measures)."""
        return func.ST_DWithin(public_geography, _geography(origin), radius_km * 1000.0, False)

    def beyond(self, origin: Point, radius_km: float, search_km: float) -> ColumnElement[bool]:
        """Return NOT ST_DWithin; KNN ordering keeps it fast without an outer bound."""
        return ~func.ST_DWithin(public_geography, _geography(origin), radius_km * 1000.0, False)

    def in_boxes(self, boxes: Sequence[Box]) -> ColumnElement[bool]:
        """Return a plain latitude/longitude box test."""
        return or_(
            *(
                and_(
                    Location.public_latitude.between(box.min_latitude, box.max_latitude),
                    Location.public_longitude.between(box.min_longitude, box.max_longitude),
                )
                for box in boxes
            )
        )

    def nearness(self, origin: Point) -> ColumnElement[Any]:
        """Return the KNN distance operator, which the GiST index can order by."""
        return public_geography.op("<->", return_type=Float)(_geography(origin))


def _geography(point: Point) -> ColumnElement[Any]:
    made = func.ST_MakePoint(literal(point.longitude, Float), literal(point.latitude, Float))
    return func.geography(func.ST_SetSRID(made, 4326))


def spatial_index_for(dialect_name: str) -> SpatialIndex:
    """Return the spatial index strategy of a database dialect."""
    return PostGISIndex() if dialect_name == "postgresql" else SQLiteRTreeIndex()
