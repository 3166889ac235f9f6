"""The public point of a location and the columns the spatial indexes read."""

from __future__ import annotations

from typing import Any

from services_api.geo.grid import snap_to_grid
from services_api.geo.sphere import unit_vector


def public_point_columns(
    latitude: float | None, longitude: float | None, confidential: bool | None
) -> dict[str, Any]:
    """Return the public point (coarsened when confidential) and its unit vector."""
    if latitude is None or longitude is None:
        public = None
    elif confidential:
        public = snap_to_grid(latitude, longitude)
    else:
        public = (latitude, longitude)
    x, y, z = unit_vector(*public) if public else (None, None, None)
    return {
        "public_latitude": public[0] if public else None,
        "public_longitude": public[1] if public else None,
        "public_x": x,
        "public_y": y,
        "public_z": z,
    }
