"""Where the directory is: the countries of its listings and the map cells they stand in.

Place search leans toward it (a `near=Camden` in a London directory means Camden, London). It is
read from the database at most once per `TTL_SECONDS` per database engine and process, so that
resolving a place costs no query of the listings.
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from services_api.geo.sphere import Point, distance_km
from services_api.models import Address, Location

TTL_SECONDS = 600.0
CELLS_PER_DEGREE = 10
FAR_KM = 5000.0
MAX_RINGS = 12


@dataclass(frozen=True)
class Footprint:
    """The directory's countries and the centres of the 0.1-degree cells that hold its places."""

    countries: frozenset[str]
    buckets: dict[tuple[int, int], list[Point]] = field(default_factory=dict)

    @classmethod
    def of(cls, countries: Iterable[str], points: Iterable[Point]) -> Footprint:
        """Return the footprint of these countries and points, bucketed by whole degree for lookups."""
        buckets: dict[tuple[int, int], list[Point]] = defaultdict(list)
        for point in points:
            buckets[(math.floor(point.latitude), math.floor(point.longitude))].append(point)
        return cls(frozenset(code for code in countries if code), dict(buckets))

    def distance_km(self, point: Point, *, cap_km: float = FAR_KM) -> float:
        """Return the distance from the point to the nearest listing cell, or `cap_km` when none is nearer."""
        if not self.buckets:
            return cap_km
        row, column = math.floor(point.latitude), math.floor(point.longitude)
        best = cap_km
        ring_km = 111.0 * max(math.cos(math.radians(point.latitude)), 0.1)
        rings = min(MAX_RINGS, math.ceil(cap_km / ring_km) + 1)
        for ring in range(rings + 1):
            for key in _ring(row, column, ring):
                for centre in self.buckets.get(key, ()):
                    best = min(best, distance_km(point, centre))
            # A degree of latitude is 111 km; once the best is nearer than this ring, no farther ring wins.
            if best <= ring * ring_km:
                break
        return best


def _ring(row: int, column: int, ring: int) -> Iterable[tuple[int, int]]:
    if ring == 0:
        yield row, column
        return
    for d in range(-ring, ring + 1):
        yield row - ring, column + d
        yield row + ring, column + d
    for d in range(-ring + 1, ring):
        yield row + d, column - ring
        yield row + d, column + ring


_CACHE: weakref.WeakKeyDictionary[Engine, tuple[float, Footprint]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def directory_footprint(session: Session) -> Footprint:
    """Return the directory's footprint, read again after TTL_SECONDS."""
    engine = session.get_bind().engine
    now = time.monotonic()
    with _LOCK:
        cached = _CACHE.get(engine)
    if cached is not None and now - cached[0] < TTL_SECONDS:
        return cached[1]
    footprint = _read(session)
    with _LOCK:
        _CACHE[engine] = (now, footprint)
    return footprint


def forget_footprints() -> None:
    """Drop every cached footprint (after an import or seed changed where the listings are)."""
    with _LOCK:
        _CACHE.clear()


def _read(session: Session) -> Footprint:
    countries = session.scalars(select(Address.country).where(Address.country != "").distinct())
    row = cast(Location.public_latitude * CELLS_PER_DEGREE, Integer)
    column = cast(Location.public_longitude * CELLS_PER_DEGREE, Integer)
    cells = session.execute(
        select(func.avg(Location.public_latitude), func.avg(Location.public_longitude))
        .where(Location.public_latitude.is_not(None), Location.public_longitude.is_not(None))
        .group_by(row, column)
    )
    return Footprint.of(
        (code.upper() for code in countries), (Point(float(lat), float(lng)) for lat, lng in cells)
    )
