"""Great-circle geometry, bounding boxes across the antimeridian and poles, and service-area shapes."""

from __future__ import annotations

import json
import random

import pytest

from services_api.geo.areas import AreaError, parse_extent
from services_api.geo.grid import GRID_STEP_DEGREES, snap_to_grid
from services_api.geo.sphere import Point, bounding_boxes, distance_km, min_dot_within, unit_vector


def test_distance_matches_known_city_pairs() -> None:
    london, paris, sydney = Point(51.5074, -0.1278), Point(48.8566, 2.3522), Point(-33.8688, 151.2093)
    assert distance_km(london, paris) == pytest.approx(343.5, abs=1.0)
    assert distance_km(london, sydney) == pytest.approx(16990, abs=30)
    assert distance_km(Point(0, 179.9), Point(0, -179.9)) == pytest.approx(22.24, abs=0.05)


def test_bounding_boxes_contain_every_point_of_the_circle() -> None:
    rng = random.Random(7)
    for _ in range(300):
        centre = Point(rng.uniform(-89, 89), rng.uniform(-180, 180))
        radius = rng.choice([1, 10, 50, 200, 2000])
        boxes = bounding_boxes(centre, radius)
        for _ in range(20):
            probe = Point(
                max(-90.0, min(90.0, centre.latitude + rng.uniform(-20, 20))),
                (centre.longitude + rng.uniform(-40, 40) + 180) % 360 - 180,
            )
            if distance_km(centre, probe) <= radius:
                assert any(box.contains(probe) for box in boxes), (centre, radius, probe)


def test_boxes_split_at_the_antimeridian_and_open_at_the_poles() -> None:
    fiji = bounding_boxes(Point(-17.0, 179.95), 50)
    assert len(fiji) == 2
    assert {fiji[0].max_longitude, fiji[1].min_longitude} == {180.0, -180.0}
    polar = bounding_boxes(Point(89.9, 10), 50)
    assert len(polar) == 1 and polar[0].min_longitude == -180 and polar[0].max_longitude == 180


def test_dot_product_threshold_agrees_with_haversine() -> None:
    rng = random.Random(3)
    for _ in range(500):
        a = Point(rng.uniform(-80, 80), rng.uniform(-180, 180))
        b = Point(a.latitude + rng.uniform(-1, 1), a.longitude + rng.uniform(-1, 1))
        dot = sum(
            x * y
            for x, y in zip(
                unit_vector(a.latitude, a.longitude), unit_vector(b.latitude, b.longitude), strict=True
            )
        )
        d = distance_km(a, b)
        assert (dot >= min_dot_within(d + 0.001)) and not (
            dot >= min_dot_within(max(d - 0.001, 0)) and d > 0.002
        )


def test_confidential_points_snap_to_fixed_cell_centres() -> None:
    lat, lng = snap_to_grid(51.51234, -0.13189)
    assert abs(lat - 51.51234) <= GRID_STEP_DEGREES / 2 and abs(lng + 0.13189) <= GRID_STEP_DEGREES / 2
    assert snap_to_grid(51.5101, -0.1301) == snap_to_grid(51.5199, -0.1399)  # same cell, same answer
    assert (lat, lng) != (51.51234, -0.13189)


def test_service_area_circle_and_polygon() -> None:
    circle = parse_extent(
        json.dumps(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-2.24, 53.48]},
                "properties": {"radius_km": 8},
            }
        ),
        "geojson",
    )
    assert (
        circle is not None
        and circle.contains(Point(53.50, -2.20))
        and not circle.contains(Point(53.60, -2.24))
    )
    square = {
        "type": "Polygon",
        "coordinates": [
            [[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]],
            [[0.5, 0.5], [1, 0.5], [1, 1], [0.5, 1], [0.5, 0.5]],
        ],
    }
    polygon = parse_extent(json.dumps(square), "geojson")
    assert (
        polygon is not None and polygon.contains(Point(1.5, 1.5)) and not polygon.contains(Point(0.75, 0.75))
    )
    assert parse_extent("Whole of Greater Manchester", "text") is None


@pytest.mark.parametrize(
    "extent",
    [
        "not json",
        json.dumps({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}),
        json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}),
        json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]}),
        json.dumps(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [0, 0]},
                "properties": {"radius_km": -1},
            }
        ),
    ],
)
def test_malformed_extents_are_refused(extent: str) -> None:
    with pytest.raises(AreaError):
        parse_extent(extent, "geojson")
