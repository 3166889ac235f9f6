"""Spatial index strategies behind one interface: SQLite R*Tree and PostgreSQL/PostGIS.

Each database keeps a place index by triggers: a row per service-at-location with a public point,
holding its ids, point, the day its service was last confirmed and a bit per taxonomy term
(SQLite: the R*Tree `place_rtree`; PostgreSQL: the table `place_index`). Each strategy gives SQL
conditions on its index written with bound parameters (so a search builds its statement once and
runs it with new values as its search circle grows) and the values for a point, a radius or map
boxes. Nearest-first queries on SQLite grow a search circle until the wanted number of rows is
certain; PostGIS orders by its KNN operator on a GiST index.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Float,
    Integer,
    Row,
    Select,
    Uuid,
    and_,
    bindparam,
    column,
    func,
    or_,
    select,
    table,
)

from services_api.geo.sphere import (
    EARTH_RADIUS_KM,
    Box,
    Point,
    bounding_boxes,
    min_dot_within,
    unit_vector,
)
from services_api.models import Service

StatementFor = Callable[[int], Select[Any]]  # the statement for one or two boxes
Params = dict[str, Any]
FIRST_SEARCH_KM = 2.0  # when the number of rows inside the radius is not known
SMALLEST_SEARCH_KM = 0.1
GROWTH = 2.0
WORLD_KM = EARTH_RADIUS_KM * 3.2  # more than half the circumference: every point on Earth
NO_BOX = Box(1.0, 1.0, 0.0, 0.0)  # matches nothing: fills a box slot that is not needed
RTREE_PADDING = 1e-4  # degrees; far more than 32-bit rounding of a coordinate
LISTED_DAY_SCALE = 1e-7  # the R*Tree stores a listing's day as day * 1e-7 (migration 0007)

place_rtree = table(
    "place_rtree",
    column("id"),
    column("min_latitude", Float),
    column("max_latitude", Float),
    column("min_longitude", Float),
    column("max_longitude", Float),
    column("min_day", Float),
    column("max_day", Float),
)
# The R*Tree's auxiliary columns (sal_id ... terms, migration 0006), as SQLite stores them: in the
# shadow table `place_rtree_rowid` as a0 ... a8. Joined by rowid, each row is one seek inside the
# statement; read through the R*Tree, each row runs a separate statement (several times slower).
place_data = table(
    "place_rtree_rowid",
    column("rowid"),
    column("a0", Uuid),
    column("a1", Uuid),
    column("a2", Uuid),
    column("a3", Float),
    column("a4", Float),
    column("a5", Float),
    column("a6", Float),
    column("a7", Float),
    column("a8", Integer),
)
PLACE_DATA = dict(
    zip(
        ("sal_id", "service_id", "location_id", "latitude", "longitude", "x", "y", "z", "terms"),
        list(place_data.c)[1:],
        strict=True,
    )
)
# PostgreSQL's place index (migration 0008): a row per place, kept by triggers.
place_index = table(
    "place_index",
    column("id", Uuid),
    column("service_id", Uuid),
    column("location_id", Uuid),
    column("latitude", Float),
    column("longitude", Float),
    column("geog"),
    column("listed_day", Integer),
    column("terms", BigInteger),
)
search_term_bit = table("search_term_bit", column("term_id", Uuid), column("bit", Integer))
TERM_BITS = select(search_term_bit.c.term_id, search_term_bit.c.bit).where(
    search_term_bit.c.term_id.in_(bindparam("terms", expanding=True))
)


def _param(name: str) -> Any:
    return bindparam(f"geo_{name}", type_=Float)


class SpatialIndex(ABC):
    """How one database finds public places near a point or inside boxes."""

    @abstractmethod
    def places(
        self,
        *columns: Any,
        conditions: Sequence[ColumnElement[bool]],
        term_masks: int = 0,
    ) -> Select[Any]:
        """Select `columns` of public places whose service meets the other `conditions`.

        Both indexes store whether a place's service is public (its listed day, compared with the
        view's first visible day bound as `view_hidden_day`), so visibility never reads services.
        `place_columns()` names what can be selected. With `term_masks`, the service must also carry
        a term of each mask bound as `geo_terms_0`, `geo_terms_1`... (see `term_masks()`).
        """

    def term_masks(self, connection: Connection, term_sets: Sequence[frozenset[Any]]) -> list[int | None]:
        """Return for each set of taxonomy terms the bit mask the index can test, or None where it cannot.

        The first 63 terms have a bit (`search_term_bit`, migrations 0006 and 0008); a set with a
        term without one is left to the filters on services.
        """
        wanted = sorted(set().union(*term_sets))
        if not wanted:
            return [None] * len(term_sets)
        bits = dict(connection.execute(TERM_BITS, {"terms": wanted}).all())
        return [
            sum(1 << bits[term] for term in terms) if all(term in bits for term in terms) else None
            for terms in term_sets
        ]

    @abstractmethod
    def place_columns(self) -> dict[str, Any]:
        """Return the place columns: sal_id, service_id, location_id, latitude, longitude."""

    @abstractmethod
    def within(self, boxes: int = 2) -> ColumnElement[bool]:
        """Return the condition: the public point is within the radius of the origin."""

    @abstractmethod
    def within_params(self, origin: Point, radius_km: float) -> Params:
        """Return the values of `within` for a point and radius."""

    @abstractmethod
    def beyond(self, boxes: int = 2) -> ColumnElement[bool]:
        """Return the condition: beyond the radius (and, for the index's sake, within a search radius)."""

    @abstractmethod
    def beyond_params(self, origin: Point, radius_km: float, search_km: float) -> Params:
        """Return the values of `beyond`."""

    def in_boxes(self, count: int = 2) -> ColumnElement[bool]:
        """Return the condition: the public point lies in box 1 (or box 2)."""
        return or_(*(self._in_box(number) for number in range(1, count + 1)))

    def boxes_params(self, boxes: Sequence[Box]) -> Params:
        """Return the values of `in_boxes` for one or two boxes."""
        params: Params = {"geo_box_count": len(boxes)}
        for number, box in enumerate([*boxes, NO_BOX][:2], start=1):
            params.update(_box_params(str(number), box))
        return params

    @abstractmethod
    def nearness(self) -> ColumnElement[Any]:
        """Return an expression that grows with distance from the origin (to order by)."""

    @abstractmethod
    def nearness_params(self, origin: Point) -> Params:
        """Return the values of `nearness`."""

    @abstractmethod
    def _in_box(self, number: int | str) -> ColumnElement[bool]:
        """Return the condition for box `number` (1 or 2)."""

    def nearest(
        self,
        connection: Connection,
        statement: StatementFor,
        params: Params,
        origin: Point,
        radius_km: float,
        limit: int,
        expected: int | None = None,
    ) -> Sequence[Row[Any]]:
        """Run a nearest-first statement built on `within` and `nearness` for up to `limit` rows.

        `statement(boxes)` gives the statement for one or two boxes; `params` holds its other
        values; `expected` (how many rows lie within the radius, when known) lets an index choose
        where to start.
        """
        values = {**params, **self.within_params(origin, radius_km), **self.nearness_params(origin)}
        return connection.execute(statement(values.get("geo_box_count", 2)).limit(limit), values).all()

    def nearest_beyond(
        self,
        connection: Connection,
        statement: StatementFor,
        params: Params,
        origin: Point,
        radius_km: float,
        limit: int,
    ) -> Sequence[Row[Any]]:
        """Run a nearest-first statement built on `beyond` for up to `limit` rows outside the radius."""
        search_km = radius_km * GROWTH
        while True:
            values = {
                **params,
                **self.beyond_params(origin, radius_km, search_km),
                **self.nearness_params(origin),
            }
            rows = connection.execute(statement(values.get("geo_box_count", 2)).limit(limit), values).all()
            if len(rows) >= limit or search_km >= WORLD_KM:
                return rows
            search_km = min(search_km * GROWTH, WORLD_KM)


class SQLiteRTreeIndex(SpatialIndex):
    """SQLite: one R*Tree entry per place, carrying all a search needs (kept by triggers, see 0004).

    The box and listed-day tests run in the R*Tree; then the exact test on the stored unit vectors
    and the term masks read the entry's data by rowid (`place_data`). Counting and ordering public
    places never reads another table unless a filter on services asks for it.
    """

    def places(
        self,
        *columns: Any,
        conditions: Sequence[ColumnElement[bool]],
        term_masks: int = 0,
    ) -> Select[Any]:
        """Select from the R*Tree (which stores visibility and term bits); join services for other filters."""
        rtree = place_rtree.c
        statement = select(*columns).select_from(place_rtree).join(place_data, place_data.c.rowid == rtree.id)
        if conditions:
            statement = statement.join(Service, Service.id == PLACE_DATA["service_id"])
        # Half a step below the first visible day: exact whatever the 32-bit rounding of the day.
        first_day = (bindparam("view_hidden_day", type_=Integer) - 0.5) * LISTED_DAY_SCALE
        return statement.where(
            rtree.min_day >= first_day, *_has_terms(PLACE_DATA["terms"], term_masks), *conditions
        )

    def place_columns(self) -> dict[str, Any]:
        """Return the R*Tree's auxiliary columns."""
        names = ("sal_id", "service_id", "location_id", "latitude", "longitude")
        return {name: PLACE_DATA[name] for name in names}

    def within(self, boxes: int = 2) -> ColumnElement[bool]:
        """Return the R*Tree box test, then the exact test on the stored unit vectors."""
        return and_(self.in_boxes(boxes), self._dot() >= _param("min_dot"))

    def within_params(self, origin: Point, radius_km: float) -> Params:
        """Return the boxes around the circle and the smallest dot product inside it."""
        return {
            **self.boxes_params([_padded(box) for box in bounding_boxes(origin, radius_km)]),
            **self.nearness_params(origin),
            "geo_min_dot": min_dot_within(radius_km),
        }

    def beyond(self, boxes: int = 2) -> ColumnElement[bool]:
        """Return the R*Tree box of the search radius, minus the inner circle."""
        return and_(self.in_boxes(boxes), self._dot() >= _param("min_dot"), self._dot() < _param("max_dot"))

    def beyond_params(self, origin: Point, radius_km: float, search_km: float) -> Params:
        """Return the ring between the radius and the search radius."""
        return {**self.within_params(origin, search_km), "geo_max_dot": min_dot_within(radius_km)}

    def nearness(self) -> ColumnElement[Any]:
        """Return minus the dot product of unit vectors: smaller is nearer."""
        return -self._dot()

    def nearness_params(self, origin: Point) -> Params:
        """Return the origin's unit vector."""
        x, y, z = unit_vector(origin.latitude, origin.longitude)
        return {"geo_x": x, "geo_y": y, "geo_z": z}

    def nearest(
        self,
        connection: Connection,
        statement: StatementFor,
        params: Params,
        origin: Point,
        radius_km: float,
        limit: int,
        expected: int | None = None,
    ) -> Sequence[Row[Any]]:
        """Grow a search circle until `limit` rows lie inside it (or it reaches the radius).

        The first circle is sized from `expected` (rows within the whole radius), assuming even
        density; without it, it starts at 2 km.
        """
        search_km = _first_circle_km(radius_km, limit, expected)
        while True:
            rows = super().nearest(connection, statement, params, origin, search_km, limit)
            if len(rows) >= limit or search_km >= radius_km:
                return rows
            search_km = min(search_km * GROWTH, radius_km)

    def _in_box(self, number: int | str) -> ColumnElement[bool]:
        rtree = place_rtree.c
        return and_(
            rtree.min_latitude >= _param(f"s{number}"),
            rtree.max_latitude <= _param(f"n{number}"),
            rtree.min_longitude >= _param(f"w{number}"),
            rtree.max_longitude <= _param(f"e{number}"),
        )

    @staticmethod
    def _dot() -> ColumnElement[Any]:
        dot: ColumnElement[Any] = (
            PLACE_DATA["x"] * _param("x") + PLACE_DATA["y"] * _param("y") + PLACE_DATA["z"] * _param("z")
        )
        return dot


class PostGISIndex(SpatialIndex):
    """PostgreSQL: `place_index` (migration 0008), a row per place carrying all a search needs.

    Its geography is GiST-indexed: ST_DWithin restricts, the KNN operator `<->` orders. Counting
    and ordering public places never reads another table unless a filter on services asks for it.
    """

    def places(
        self,
        *columns: Any,
        conditions: Sequence[ColumnElement[bool]],
        term_masks: int = 0,
    ) -> Select[Any]:
        """Select from the place index (which stores visibility and term bits); join services for the rest."""
        places = place_index.c
        statement = select(*columns).select_from(place_index)
        if conditions:
            statement = statement.join(Service, Service.id == places.service_id)
        return statement.where(
            places.listed_day >= bindparam("view_hidden_day", type_=Integer),
            *_has_terms(places.terms, term_masks),
            *conditions,
        )

    def place_columns(self) -> dict[str, Any]:
        """Return the place index's columns."""
        places = place_index.c
        return {
            "sal_id": places.id,
            "service_id": places.service_id,
            "location_id": places.location_id,
            "latitude": places.latitude,
            "longitude": places.longitude,
        }

    def within(self, boxes: int = 2) -> ColumnElement[bool]:
        """Return ST_DWithin on the sphere (as the SQLite index measures)."""
        return func.ST_DWithin(place_index.c.geog, _origin(), _param("metres"), False)

    def within_params(self, origin: Point, radius_km: float) -> Params:
        """Return the origin and the radius in metres."""
        return {"geo_lat": origin.latitude, "geo_lng": origin.longitude, "geo_metres": radius_km * 1000.0}

    def beyond(self, boxes: int = 2) -> ColumnElement[bool]:
        """Return NOT ST_DWithin; KNN ordering keeps it fast without an outer bound."""
        return ~self.within()

    def beyond_params(self, origin: Point, radius_km: float, search_km: float) -> Params:
        """Return the origin and the inner radius (KNN needs no outer one)."""
        return self.within_params(origin, radius_km)

    def nearness(self) -> ColumnElement[Any]:
        """Return the KNN distance operator, which the GiST index can order by."""
        return place_index.c.geog.op("<->", return_type=Float)(_origin())

    def nearness_params(self, origin: Point) -> Params:
        """Return the origin."""
        return {"geo_lat": origin.latitude, "geo_lng": origin.longitude}

    def nearest_beyond(
        self,
        connection: Connection,
        statement: StatementFor,
        params: Params,
        origin: Point,
        radius_km: float,
        limit: int,
    ) -> Sequence[Row[Any]]:
        """Run once: KNN ordering walks outwards from the radius by itself."""
        values = {**params, **self.beyond_params(origin, radius_km, WORLD_KM), **self.nearness_params(origin)}
        return connection.execute(statement(2).limit(limit), values).all()

    def _in_box(self, number: int | str) -> ColumnElement[bool]:
        places = place_index.c
        return and_(
            places.latitude.between(_param(f"s{number}"), _param(f"n{number}")),
            places.longitude.between(_param(f"w{number}"), _param(f"e{number}")),
        )


def _has_terms(terms: Any, count: int) -> list[ColumnElement[bool]]:
    """Return the conditions: `terms` shares a bit with each mask bound as `geo_terms_0`, `geo_terms_1`..."""
    return [terms.op("&")(bindparam(f"geo_terms_{number}", type_=BigInteger)) != 0 for number in range(count)]


def _box_params(name: str, box: Box) -> Params:
    return {
        f"geo_s{name}": box.min_latitude,
        f"geo_w{name}": box.min_longitude,
        f"geo_n{name}": box.max_latitude,
        f"geo_e{name}": box.max_longitude,
    }


def _padded(box: Box) -> Box:
    """Widen a box a little: the R*Tree stores 32-bit coordinates, rounded outwards."""
    return Box(
        max(-90.0, box.min_latitude - RTREE_PADDING),
        max(-180.0, box.min_longitude - RTREE_PADDING),
        min(90.0, box.max_latitude + RTREE_PADDING),
        min(180.0, box.max_longitude + RTREE_PADDING),
    )


def _first_circle_km(radius_km: float, limit: int, expected: int | None) -> float:
    """Return a first search radius: the circle that would hold `limit` rows at even density.

    Measured on clustered synthetic data (benchmarks/search.py), this beats starting small: most
    searches need one statement, and a second one only where the centre is sparser than average.
    """
    if expected is None:
        return min(FIRST_SEARCH_KM, radius_km)
    if expected <= limit:
        return radius_km
    return min(radius_km, max(SMALLEST_SEARCH_KM, radius_km * math.sqrt(limit / expected)))


def _origin() -> ColumnElement[Any]:
    return func.geography(func.ST_SetSRID(func.ST_MakePoint(_param("lng"), _param("lat")), 4326))


def spatial_index_for(dialect_name: str) -> SpatialIndex:
    """Return the spatial index strategy of a database dialect."""
    return PostGISIndex() if dialect_name == "postgresql" else SQLiteRTreeIndex()
