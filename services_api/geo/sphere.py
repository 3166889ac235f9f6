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
