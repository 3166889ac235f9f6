"""Service areas: a GeoJSON polygon or a circle (a Point with a `radius_km`), and point-in-area tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from services_api.geo.sphere import Box, Point, bounding_boxes, distance_km

MAX_CIRCLE_RADIUS_KM = 5000.0
Ring = Sequence[tuple[float, float]]  # (longitude, latitude) pairs, as GeoJSON orders them


class AreaError(ValueError):
    """A service area's extent is not a polygon or circle this API understands."""


@dataclass(frozen=True)
class Circle:
    """Everything within `radius_km` of `centre`."""

    centre: Point
    radius_km: float

    def contains(self, point: Point) -> bool:
        """Return whether the point lies inside the circle."""
        return distance_km(self.centre, point) <= self.radius_km

    def boxes(self) -> list[Box]:
        """Return boxes that cover the circle."""
        return bounding_boxes(self.centre, self.radius_km)


@dataclass(frozen=True)
class Polygons:
    """One or more polygons, each an outer ring followed by its holes."""

    polygons: tuple[tuple[Ring, ...], ...]

    def contains(self, point: Point) -> bool:
        """Return whether the point lies inside any polygon (and outside that polygon's holes)."""
        for rings in self.polygons:
            if _in_ring(point, rings[0]) and not any(_in_ring(point, hole) for hole in rings[1:]):
                return True
        return False

    def boxes(self) -> list[Box]:
        """Return the bounding box of each polygon."""
        boxes = []
        for rings in self.polygons:
            lngs = [lng for lng, _lat in rings[0]]
            lats = [lat for _lng, lat in rings[0]]
            boxes.append(Box(min(lats), min(lngs), max(lats), max(lngs)))
        return boxes


Area = Circle | Polygons


def parse_extent(extent: str | None, extent_type: str | None) -> Area | None:
    """Parse a service area's GeoJSON extent; return None when it has no geographic extent."""
    if not extent or (extent_type or "geojson").strip().lower() not in ("geojson", "application/geo+json"):
        return None
    try:
        data = json.loads(extent)
    except ValueError:
        raise AreaError("extent must be valid GeoJSON") from None
    except RecursionError:  # nested far deeper than any GeoJSON geometry
        raise AreaError("extent nests too deep to be GeoJSON") from None
    try:
        return _parse_geojson(data)
    except RecursionError:
        raise AreaError("extent nests too deep to be GeoJSON") from None


def _parse_geojson(data: Any) -> Area:
    if not isinstance(data, dict):
        raise AreaError("extent must be a GeoJSON object")
    kind = data.get("type")
    if kind == "Feature":
        geometry = data.get("geometry")
        radius = (data.get("properties") or {}).get("radius_km")
        if isinstance(geometry, dict) and geometry.get("type") == "Point" and radius is not None:
            return _circle(geometry.get("coordinates"), radius)
        return _parse_geojson(geometry)
    if kind == "Polygon":
        return Polygons((_rings(data.get("coordinates")),))
    if kind == "MultiPolygon":
        coordinates = data.get("coordinates")
        if not isinstance(coordinates, list) or not coordinates:
            raise AreaError("MultiPolygon coordinates must be a non-empty list of polygons")
        return Polygons(tuple(_rings(polygon) for polygon in coordinates))
    raise AreaError("extent must be a Polygon, a MultiPolygon, or a Point Feature with properties.radius_km")


def _circle(coordinates: Any, radius: Any) -> Circle:
    longitude, latitude = _position(coordinates)
    if (
        isinstance(radius, bool)
        or not isinstance(radius, int | float)
        or not 0 < radius <= MAX_CIRCLE_RADIUS_KM
    ):
        raise AreaError(f"radius_km must be a number above 0 and at most {MAX_CIRCLE_RADIUS_KM:g}")
    return Circle(Point(latitude, longitude), float(radius))


def _rings(coordinates: Any) -> tuple[Ring, ...]:
    if not isinstance(coordinates, list) or not coordinates:
        raise AreaError("a Polygon needs at least one ring of coordinates")
    rings = []
    for ring in coordinates:
        if not isinstance(ring, list) or len(ring) < 4:
            raise AreaError("every polygon ring needs at least four positions")
        rings.append(tuple(_position(position) for position in ring))
    return tuple(rings)


def _position(position: Any) -> tuple[float, float]:
    if (
        not isinstance(position, list)
        or len(position) < 2
        or not all(isinstance(value, int | float) and not isinstance(value, bool) for value in position[:2])
    ):
        raise AreaError("every position must be [longitude, latitude]")
    longitude, latitude = float(position[0]), float(position[1])
    if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        raise AreaError("positions must lie within longitude -180..180 and latitude -90..90")
    return longitude, latitude


def _in_ring(point: Point, ring: Ring) -> bool:
    """Even-odd rule on the longitude/latitude plane (fine for areas the size of a country)."""
    inside = False
    x, y = point.longitude, point.latitude
    for (x1, y1), (x2, y2) in pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside
