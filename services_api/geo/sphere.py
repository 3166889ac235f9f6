"""Great-circle geometry on the sphere PostGIS uses for geography distances."""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0087714  # WGS84 mean radius (2a + b) / 3, as PostGIS uses for sphere distances
MAX_ANGLE = math.pi


@dataclass(frozen=True)
class Point:
    """A WGS84 point in decimal degrees."""

    latitude: float
    longitude: float


@dataclass(frozen=True)
class Box:
    """A latitude/longitude box; `min_longitude > max_longitude` never happens (split at 180 instead)."""

    min_latitude: float
    min_longitude: float
    max_latitude: float
    max_longitude: float

    def contains(self, point: Point) -> bool:
        """Return whether the point lies in the box (edges included)."""
        return (
            self.min_latitude <= point.latitude <= self.max_latitude
            and self.min_longitude <= point.longitude <= self.max_longitude
        )


def unit_vector(latitude: float, longitude: float) -> tuple[float, float, float]:
    """Return the point as a unit vector; the dot product of two such vectors orders by distance."""
    phi, lam = math.radians(latitude), math.radians(longitude)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def distance_km(a: Point, b: Point) -> float:
    """Return the great-circle distance between two points (haversine)."""
    phi1, phi2 = math.radians(a.latitude), math.radians(b.latitude)
    dphi, dlam = phi2 - phi1, math.radians(b.longitude - a.longitude)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def min_dot_within(radius_km: float) -> float:
    """Return the smallest unit-vector dot product of two points at most `radius_km` apart."""
    return math.cos(min(radius_km / EARTH_RADIUS_KM, MAX_ANGLE))


def bounding_boxes(centre: Point, radius_km: float) -> list[Box]:
    """Return one or two boxes that together contain every point within `radius_km` of `centre`."""
    angle = radius_km / EARTH_RADIUS_KM
    lat = math.radians(centre.latitude)
    min_lat, max_lat = lat - angle, lat + angle
    if max_lat >= math.pi / 2 or min_lat <= -math.pi / 2 or angle >= math.pi:
        return [
            Box(
                math.degrees(max(min_lat, -math.pi / 2)),
                -180.0,
                math.degrees(min(max_lat, math.pi / 2)),
                180.0,
            )
        ]
    spread = math.degrees(math.asin(min(1.0, math.sin(angle) / math.cos(lat))))
    south, north = math.degrees(min_lat), math.degrees(max_lat)
    return split_at_antimeridian(south, centre.longitude - spread, north, centre.longitude + spread)


def split_at_antimeridian(south: float, west: float, north: float, east: float) -> list[Box]:
    """Return the box from `west` eastwards to `east`, split in two where it crosses 180 degrees."""
    if east - west >= 360:
        return [Box(south, -180.0, north, 180.0)]
    west = (west + 180) % 360 - 180
    east = (east + 180) % 360 - 180
    if west <= east:
        return [Box(south, west, north, east)]
    return [Box(south, west, north, 180.0), Box(south, -180.0, north, east)]


INNER_SHRINK_DEGREES = 1e-7


def inner_boxes(centre: Point, radius_km: float, count: int) -> list[Box]:
    """Return up to `count` latitude strips, each a box lying wholly within `radius_km` of `centre`.

    Along a parallel, distance grows with the longitude difference, and along a meridian it has a
    single minimum; so a box lies in the circle when its four corners do, and each strip is as wide
    as its narrower edge allows. Boxes that would cross the antimeridian are left out.
    """
    angle = radius_km / EARTH_RADIUS_KM
    if angle >= math.pi / 2:
        return []
    south = max(-90.0, centre.latitude - math.degrees(angle))
    north = min(90.0, centre.latitude + math.degrees(angle))
    height = (north - south) / count
    boxes = []
    for index in range(count):
        low, high = south + index * height, south + (index + 1) * height
        half_width = min(_half_width(centre, angle, low), _half_width(centre, angle, high))
        half_width -= INNER_SHRINK_DEGREES
        west, east = centre.longitude - half_width, centre.longitude + half_width
        if half_width > 0 and west >= -180 and east <= 180:
            boxes.append(Box(low + INNER_SHRINK_DEGREES, west, high - INNER_SHRINK_DEGREES, east))
    return boxes


def _half_width(centre: Point, angle: float, latitude: float) -> float:
    """Return the longitude half-width (degrees) of the circle along a parallel; -1 when it misses it."""
    phi, phi0 = math.radians(latitude), math.radians(centre.latitude)
    denominator = math.cos(phi) * math.cos(phi0)
    if denominator <= 0:
        return -1.0
    cosine = (math.cos(angle) - math.sin(phi) * math.sin(phi0)) / denominator
    if cosine > 1:
        return -1.0
    return math.degrees(math.acos(max(-1.0, cosine)))
