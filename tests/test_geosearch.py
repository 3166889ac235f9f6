"""Nearest-first search finds every public listing in the radius, in order, with every filter."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services_api.api.public.common import public_view
from services_api.models import Location, Place
from tests.geo_reference import Expected, haversine_km, reference_search

CITY_POINTS = {
    "london": (51.5134, -0.1318),
    "manchester": (53.4808, -2.2426),
    "glasgow": (55.8609, -4.2514),
    "toronto": (43.6532, -79.3832),
    "new_york": (40.7831, -73.9712),
    "sydney": (-33.8688, 151.2093),
    "melbourne": (-37.8136, 144.9631),
    "nowhere": (-60.0, -120.0),
}


def _pages(client: FlaskClient, path: str, per_page: int = 7) -> tuple[list[dict[str, Any]], int]:
    items, page = [], 1
    while True:
        body = client.get(f"{path}&per_page={per_page}&page={page}").get_json()
        assert "contents" in body, body
        items += body["contents"]
        if body["last_page"] or not body["contents"]:
            return items, body["total_items"]
        page += 1


def _expected_ids(expected: list[Expected], per_service: bool) -> list[str]:
    return [e.service_id if per_service else e.id for e in expected]


def _check(
    client: FlaskClient, path: str, expected: list[Expected], per_service: bool
) -> list[dict[str, Any]]:
    found, total = _pages(client, path)
    assert [item["id"] for item in found] == _expected_ids(expected, per_service), path
    assert total == len(expected)
    for item, want in zip(found, expected, strict=True):
        assert item["distance_km"] == round(want.distance_km, 3)
        assert item["match"] == want.match
        assert item["beyond_radius"] is want.beyond_radius
    return found


@pytest.mark.parametrize("city", sorted(CITY_POINTS))
@pytest.mark.parametrize("radius_km", [2, 10, 60])
def test_search_finds_exactly_what_a_brute_force_scan_finds(
    client: FlaskClient, db: Session, seeded_app: Flask, city: str, radius_km: float
) -> None:
    lat, lng = CITY_POINTS[city]
    with seeded_app.test_request_context():
        view = public_view()
    for per_service, endpoint in ((False, "service_at_locations"), (True, "services")):
        expected = reference_search(db, view, lat=lat, lng=lng, radius_km=radius_km, per_service=per_service)
        _check(client, f"/api/v1/{endpoint}?lat={lat}&lng={lng}&radius_km={radius_km}", expected, per_service)


@pytest.mark.parametrize(
    ("filters", "reference"),
    [
        ("category=housing", {"category": "housing"}),
        ("category=hiv", {"category": "hiv"}),
        ("attribute=free&attribute=walk-in", {"attributes": ("free", "walk-in")}),
        ("attribute=no-id-required,anonymous", {"attributes": ("no-id-required", "anonymous")}),
        ("language=es", {"language": "es"}),
        ("search=clinica", {"search": "clinica"}),
        (
            "category=legal&attribute=free&language=en",
            {"category": "legal", "attributes": ("free",), "language": "en"},
        ),
    ],
)
def test_filters_combine_with_and_like_the_brute_force_scan(
    client: FlaskClient, db: Session, seeded_app: Flask, filters: str, reference: dict[str, Any]
) -> None:
    with seeded_app.test_request_context():
        view = public_view()
    for lat, lng in (CITY_POINTS["london"], CITY_POINTS["new_york"], CITY_POINTS["sydney"]):
        for per_service, endpoint in ((False, "service_at_locations"), (True, "services")):
            expected = reference_search(
                db, view, lat=lat, lng=lng, radius_km=60, per_service=per_service, **reference
            )
            _check(
                client,
                f"/api/v1/{endpoint}?lat={lat}&lng={lng}&radius_km=60&{filters}",
                expected,
                per_service,
            )


@pytest.mark.parametrize(
    "moment", ["2026-12-02T02:30:00Z", "2026-12-05T14:00:00Z", "2026-12-06T23:15:00+11:00"]
)
def test_open_at_matches_each_place_in_its_own_time_zone(
    client: FlaskClient, db: Session, seeded_app: Flask, moment: str
) -> None:
    at = datetime.fromisoformat(moment)
    with seeded_app.test_request_context():
        view = public_view()
    for city in ("london", "toronto", "sydney"):
        lat, lng = CITY_POINTS[city]
        for per_service, endpoint in ((False, "service_at_locations"), (True, "services")):
            expected = reference_search(
                db, view, lat=lat, lng=lng, radius_km=60, per_service=per_service, open_at=at
            )
            query = f"lat={lat}&lng={lng}&radius_km=60&open_at={moment.replace('+', '%2B')}"
            _check(client, f"/api/v1/{endpoint}?{query}", expected, per_service)


def test_min_results_adds_the_nearest_others_marked_beyond_the_radius(
    client: FlaskClient, db: Session, seeded_app: Flask
) -> None:
    with seeded_app.test_request_context():
        view = public_view()
    lat, lng = 51.75, -1.25  # Oxford: nothing within 5 km in the demo directory
    for per_service, endpoint in ((False, "service_at_locations"), (True, "services")):
        expected = reference_search(
            db, view, lat=lat, lng=lng, radius_km=5, per_service=per_service, min_results=12
        )
        found = _check(
            client,
            f"/api/v1/{endpoint}?lat={lat}&lng={lng}&radius_km=5&min_results=12",
            expected,
            per_service,
        )
        beyond = [item for item in found if item["beyond_radius"]]
        assert beyond and all(item["distance_km"] > 5 for item in beyond)
        assert len(found) == 12


def test_area_services_match_inside_their_area_after_places_at_the_same_distance(
    client: FlaskClient, db: Session
) -> None:
    location = db.scalars(select(Location).where(Location.confidential.is_(False))).first()
    assert location is not None
    query = f"lat={location.public_latitude}&lng={location.public_longitude}&radius_km=1"
    found = client.get(f"/api/v1/service_at_locations?{query}&per_page=100").get_json()["contents"]
    at_zero = [item["match"] for item in found if item["distance_km"] == 0]
    assert at_zero[0] == "location", "a place at distance 0 comes before the areas"
    areas = [item for item in found if item["match"] == "service_area"]
    assert areas, "the national helplines cover London"
    assert all("location" not in item and item["service_area"]["extent"] for item in areas)
    far = client.get("/api/v1/service_at_locations?lat=-60&lng=-120&radius_km=50").get_json()
    assert far["total_items"] == 0


def test_outreach_circle_matches_inside_and_not_outside(client: FlaskClient) -> None:
    inside = client.get("/api/v1/services?near=Manchester&radius_km=1&per_page=50").get_json()["contents"]
    van = [item for item in inside if item["match"] == "service_area" and "Outreach" in item["name"]]
    assert van, "the Manchester outreach van's 8 km circle covers the city centre"
    outside = client.get("/api/v1/services?lat=53.60&lng=-2.24&radius_km=1&per_page=50").get_json()[
        "contents"
    ]
    assert van[0]["id"] not in {item["id"] for item in outside}


def test_services_are_listed_once_at_their_nearest_place(client: FlaskClient) -> None:
    lat, lng = CITY_POINTS["london"]
    services = client.get(f"/api/v1/services?lat={lat}&lng={lng}&radius_km=60&per_page=100").get_json()[
        "contents"
    ]
    ids = [item["id"] for item in services]
    assert len(ids) == len(set(ids))
    distances = [item["distance_km"] for item in services]
    assert distances == sorted(distances)
    places = client.get(
        f"/api/v1/service_at_locations?lat={lat}&lng={lng}&radius_km=60&per_page=100"
    ).get_json()
    nearest: dict[str, float] = {}
    for item in places["contents"]:
        nearest.setdefault(item["service_id"], item["distance_km"])
    assert {item["id"]: item["distance_km"] for item in services} == nearest


def test_bbox_returns_exactly_the_places_in_the_box(client: FlaskClient, db: Session) -> None:
    west, south, east, north = -0.25, 51.45, -0.05, 51.56
    found, _total = _pages(client, f"/api/v1/service_at_locations?bbox={west},{south},{east},{north}")
    places = [item for item in found if item["match"] == "location"]
    assert places
    for item in places:
        assert (
            south <= item["location"]["latitude"] <= north and west <= item["location"]["longitude"] <= east
        )
    in_box = {
        str(link.id)
        for location in db.scalars(select(Location))
        if location.public_latitude is not None
        and location.public_longitude is not None
        and south <= location.public_latitude <= north
        and west <= location.public_longitude <= east
        for link in location.service_at_locations
        if link.service.vetting_status == "vetted"
    }
    assert {item["id"] for item in places} <= in_box
    centre = ((south + north) / 2, (west + east) / 2)
    distances = [item["distance_km"] for item in places]
    assert distances == sorted(distances)
    assert places[0]["distance_km"] == round(
        min(haversine_km(*centre, p["location"]["latitude"], p["location"]["longitude"]) for p in places), 3
    )


def test_near_resolves_place_names_and_postcodes_offline(client: FlaskClient, db: Session) -> None:
    by_name = client.get("/api/v1/services?near=manchester&radius_km=5&per_page=1").get_json()
    by_point = client.get("/api/v1/services?lat=53.48095&lng=-2.23743&radius_km=5&per_page=1").get_json()
    assert by_name.pop("place")["name"] == "Manchester"
    by_name.pop("other_places")
    assert by_name == by_point
    munich = db.scalars(select(Place).where(Place.name == "Munich")).first()
    assert munich is not None
    # Outside the directory's countries a place needs its country named (issue 12: no silent guess abroad).
    by_local_name = client.get(
        "/api/v1/services?near=M%C3%BCNCHEN,%20Germany&radius_km=5&min_results=1"
    ).get_json()
    assert by_local_name.pop("place")["country"] == "DE"
    by_local_name.pop("other_places")
    at_munich = client.get(
        f"/api/v1/services?lat={munich.latitude}&lng={munich.longitude}&radius_km=5&min_results=1"
    )
    assert by_local_name == at_munich.get_json()
    assert by_local_name["contents"][0]["beyond_radius"] is True
    postcode = client.get(
        "/api/v1/service_at_locations?postcode=W1D%203QU&proximity=2000&per_page=100"
    ).get_json()
    assert postcode["total_items"] > 0
    assert all(item["distance_km"] <= 2 for item in postcode["contents"])
    district = client.get("/api/v1/service_at_locations?near=W1D&radius_km=2&per_page=100").get_json()
    assert district["total_items"] > 0
    in_country = client.get("/api/v1/services?near=London,%20CA&radius_km=20").get_json()
    assert in_country["total_items"] == 0, "London, Ontario has no demo listings"


@pytest.mark.parametrize(
    "parameter,query", [("near", "Xyzzyville"), ("near", "ZZ9 9ZZ"), ("postcode", "XX1 1XX")]
)
def test_unknown_place_gets_a_422_that_says_so(client: FlaskClient, parameter: str, query: str) -> None:
    suffix = "&proximity=1000" if parameter == "postcode" else ""
    response = client.get(f"/api/v1/services?{parameter}={query}{suffix}")
    assert response.status_code == 422
    body = response.get_json()
    assert parameter in body["errors"] and "gazetteer" in body["message"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("lat=91&lng=0", "lat"),
        ("lat=-90.0001&lng=0", "lat"),
        ("lat=0&lng=180.5", "lng"),
        ("lat=NaN&lng=0", "lat"),
        ("lat=0&lng=inf", "lng"),
        ("lat=0&lng=-Infinity", "lng"),
        ("lat=51.5", "lng"),
        ("lng=-0.1", "lat"),
        ("lat=51.5&lng=-0.1&near=London", "near"),
        ("near=London&postcode=W1D", "postcode"),
        ("lat=51.5&lng=-0.1&radius_km=0", "radius_km"),
        ("lat=51.5&lng=-0.1&radius_km=-3", "radius_km"),
        ("lat=51.5&lng=-0.1&radius_km=201", "radius_km"),
        ("lat=51.5&lng=-0.1&radius_km=abc", "radius_km"),
        ("radius_km=5", "radius_km"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=0,10,1,5", "bbox"),
        ("bbox=-190,0,1,1", "bbox"),
        ("bbox=0,-91,1,1", "bbox"),
        ("bbox=0,0,1,1&radius_km=3", "bbox"),
        ("category=no-such-category", "category"),
        ("category=BAD%20CODE", "category"),
        ("attribute=free&attribute=no-such-attribute", "attribute"),
        ("language=spanish", "language"),
        ("open_at=tomorrow", "open_at"),
        ("open_at=2026-13-01T10:00", "open_at"),
        ("open_now=maybe", "open_now"),
        ("open_now=true&open_at=2026-12-01T10:00:00Z", "open_at"),
        ("lat=51.5&lng=-0.1&min_results=0", "min_results"),
        ("lat=51.5&lng=-0.1&min_results=51", "min_results"),
        ("min_results=5", "min_results"),
        ("proximity=100", "proximity"),
        ("postcode=W1D&proximity=-1", "proximity"),
    ],
)
def test_bad_search_input_gets_a_400_naming_the_parameter(
    client: FlaskClient, query: str, parameter: str
) -> None:
    for endpoint in ("services", "service_at_locations"):
        response = client.get(f"/api/v1/{endpoint}?{query}")
        assert response.status_code == 400, (endpoint, query, response.get_json())
        body = response.get_json()
        assert parameter in body["errors"], body


def test_confidential_places_are_searched_at_their_coarse_point_only(
    client: FlaskClient, db: Session
) -> None:
    for location in db.scalars(select(Location).where(Location.confidential.is_(True))):
        link = location.service_at_locations[0]
        if link.service.vetting_status != "vetted":
            continue
        query = f"lat={location.latitude}&lng={location.longitude}&radius_km=5&per_page=100"
        text = client.get(f"/api/v1/service_at_locations?{query}").get_data(as_text=True)
        found = [
            item
            for item in client.get(f"/api/v1/service_at_locations?{query}").get_json()["contents"]
            if item["id"] == str(link.id)
        ]
        assert found, "a refuge is findable near it"
        assert location.latitude is not None and location.longitude is not None
        assert location.public_latitude is not None and location.public_longitude is not None
        coarse = haversine_km(
            location.latitude, location.longitude, location.public_latitude, location.public_longitude
        )
        assert found[0]["distance_km"] == round(coarse, 3) and found[0]["distance_km"] > 0
        assert found[0]["location"]["latitude"] == location.public_latitude
        assert repr(location.latitude) not in text.replace(f"lat={location.latitude}", "")
        for address in location.addresses:
            assert address.address_1 not in text


def test_plain_lists_do_not_change_when_no_search_is_asked(client: FlaskClient) -> None:
    plain = client.get("/api/v1/service_at_locations?per_page=5").get_json()["contents"]
    assert all("distance_km" not in item and "match" not in item for item in plain)
    filtered = client.get("/api/v1/services?category=health&per_page=100").get_json()
    assert filtered["total_items"] > 0
    assert all("distance_km" not in item and "beyond_radius" not in item for item in filtered["contents"])
    names = [item["name"] for item in filtered["contents"]]
    assert names == sorted(names)


def test_open_now_uses_the_current_time(client: FlaskClient) -> None:
    def open_at(moment: datetime) -> list[str]:
        at = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        body = client.get(f"/api/v1/services?near=London&radius_km=20&open_at={at}&per_page=100").get_json()
        return [item["id"] for item in body["contents"]]

    before = datetime.now(UTC)
    by_flag = client.get("/api/v1/services?near=London&radius_km=20&open_now=true&per_page=100").get_json()
    after = datetime.now(UTC)
    # A listing may open or close between the two readings of the clock; either answer is right then.
    assert [item["id"] for item in by_flag["contents"]] in (open_at(before), open_at(after))
