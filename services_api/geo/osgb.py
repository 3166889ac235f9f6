"""British National Grid (OSGB36 eastings and northings) to WGS84 latitude and longitude, offline.

The Ordnance Survey's inverse Transverse Mercator projection on the Airy 1830 ellipsoid, then the
standard 7-parameter Helmert shift to WGS84: within about 5 m, far finer than a postcode.
"""

from __future__ import annotations

import math

AIRY_A, AIRY_B = 6377563.396, 6356256.909
WGS84_A, WGS84_B = 6378137.0, 6356752.314245
SCALE, LAT0, LON0, N0, E0 = 0.9996012717, math.radians(49), math.radians(-2), -100000.0, 400000.0
# OSGB36 -> WGS84: translations in metres, rotations in arc seconds, scale in parts per million.
HELMERT = {
    "tx": 446.448,
    "ty": -125.157,
    "tz": 542.060,
    "rx": 0.1502,
    "ry": 0.2470,
    "rz": 0.8421,
    "s": -20.4894,
}


def grid_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """Return the WGS84 (latitude, longitude) in degrees of a British National Grid point."""
    latitude, longitude = _grid_to_osgb36(easting, northing)
    return _osgb36_to_wgs84(latitude, longitude)


def _grid_to_osgb36(easting: float, northing: float) -> tuple[float, float]:
    a, b = AIRY_A, AIRY_B
    e2 = 1 - (b * b) / (a * a)
    n = (a - b) / (a + b)
    latitude, meridian = LAT0, 0.0
    while True:
        latitude = (northing - N0 - meridian) / (a * SCALE) + latitude
        meridian = (
            b
            * SCALE
            * (
                (1 + n + 5 / 4 * n**2 + 5 / 4 * n**3) * (latitude - LAT0)
                - (3 * n + 3 * n**2 + 21 / 8 * n**3) * math.sin(latitude - LAT0) * math.cos(latitude + LAT0)
                + (15 / 8 * n**2 + 15 / 8 * n**3)
                * math.sin(2 * (latitude - LAT0))
                * math.cos(2 * (latitude + LAT0))
                - 35 / 24 * n**3 * math.sin(3 * (latitude - LAT0)) * math.cos(3 * (latitude + LAT0))
            )
        )
        if abs(northing - N0 - meridian) < 0.00001:
            break
    sin, cos, tan = math.sin(latitude), math.cos(latitude), math.tan(latitude)
    nu = a * SCALE / math.sqrt(1 - e2 * sin * sin)
    rho = a * SCALE * (1 - e2) / (1 - e2 * sin * sin) ** 1.5
    eta2 = nu / rho - 1
    vii = tan / (2 * rho * nu)
    viii = tan / (24 * rho * nu**3) * (5 + 3 * tan**2 + eta2 - 9 * tan**2 * eta2)
    ix = tan / (720 * rho * nu**5) * (61 + 90 * tan**2 + 45 * tan**4)
    x = 1 / (cos * nu)
    xi = 1 / (cos * 6 * nu**3) * (nu / rho + 2 * tan**2)
    xii = 1 / (cos * 120 * nu**5) * (5 + 28 * tan**2 + 24 * tan**4)
    xiia = 1 / (cos * 5040 * nu**7) * (61 + 662 * tan**2 + 1320 * tan**4 + 720 * tan**6)
    de = easting - E0
    latitude = latitude - vii * de**2 + viii * de**4 - ix * de**6
    longitude = LON0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return latitude, longitude


def _osgb36_to_wgs84(latitude: float, longitude: float) -> tuple[float, float]:
    a, b = AIRY_A, AIRY_B
    e2 = 1 - (b * b) / (a * a)
    nu = a / math.sqrt(1 - e2 * math.sin(latitude) ** 2)
    x = nu * math.cos(latitude) * math.cos(longitude)
    y = nu * math.cos(latitude) * math.sin(longitude)
    z = (1 - e2) * nu * math.sin(latitude)
    scale = HELMERT["s"] / 1e6 + 1
    rx, ry, rz = (math.radians(HELMERT[key] / 3600) for key in ("rx", "ry", "rz"))
    x2 = HELMERT["tx"] + x * scale - y * rz + z * ry
    y2 = HELMERT["ty"] + x * rz + y * scale - z * rx
    z2 = HELMERT["tz"] - x * ry + y * rx + z * scale
    a, b = WGS84_A, WGS84_B
    e2 = 1 - (b * b) / (a * a)
    p = math.hypot(x2, y2)
    latitude = math.atan2(z2, p * (1 - e2))
    while True:
        nu = a / math.sqrt(1 - e2 * math.sin(latitude) ** 2)
        previous, latitude = latitude, math.atan2(z2 + e2 * nu * math.sin(latitude), p)
        if abs(latitude - previous) < 1e-12:
            break
    return math.degrees(latitude), math.degrees(math.atan2(y2, x2))
