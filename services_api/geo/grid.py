"""A fixed coarse grid that hides the exact point of a confidential location."""

from __future__ import annotations

import math

GRID_STEP_DEGREES = 0.02  # about 2.2 km of latitude; fixed, so repeated queries reveal nothing more


def snap_to_grid(latitude: float, longitude: float) -> tuple[float, float]:
    """Return the centre of the fixed grid cell that contains the point."""
    return _cell_centre(latitude, -90.0, 90.0), _cell_centre(longitude, -180.0, 180.0)


def _cell_centre(value: float, lowest: float, highest: float) -> float:
    cell = math.floor(value / GRID_STEP_DEGREES)
    centre = (cell + 0.5) * GRID_STEP_DEGREES
    return round(min(max(centre, lowest), highest), 6)
