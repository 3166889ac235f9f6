"""Honest geocoding: a point placed only at a town, district or sector centre is stored and shown as such.

The issue's cases were "5 Lambeth Road, SE1 7PB" (placed at the centre of London) and `W1D 3QU`
(placed on the point of the one demo clinic in W1D). Postcodes that no gazetteer will ever hold
(`XX1 1XX`, `W1D 9ZZ`) stand for them here, so that adding real postcode data does not change
what these tests place.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from services_api.core.geocoding.gazetteer import GazetteerGeocoder
from services_api.db import get_session
from services_api.geo.grid import GRID_STEP_DEGREES, snap_to_grid
from services_api.models import Location
from tests.admin_helpers import Admin, make_admin, new_service

CRITERIA_PATH = "/vetting_criteria"


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


def address(street: str, postcode: str, city: str = "London") -> dict[str, str]:
    return {
        "address_1": street,
        "city": city,
        "state_province": "England",
        "postal_code": postcode,
        "country": "GB",
        "address_type": "physical",
    }


def place(admin: Admin, street: str, postcode: str, **fields: Any) -> Any:
    body = {
        "name": "Drop-in",
        "time_zone": "Europe/London",
        "addresses": [address(street, postcode)],
        **fields,
    }
    return admin.as_partner("POST", "/locations", json=body)


def gazetteer_point(app: Flask, query: str) -> tuple[float, float]:
    with app.app_context():
        found = GazetteerGeocoder(get_session()).geocode(query)
        return found.latitude, found.longitude


def test_an_address_placed_only_at_its_city_centre_is_approximate(admin: Admin) -> None:
    response = place(admin, "5 Example Road", "XX1 1XX")
    assert response.status_code == 201, response.get_json()
    location = response.get_json()
    assert (location["latitude"], location["longitude"]) == gazetteer_point(
        admin.client.application, "London, GB"
    )
    assert location["geocode_precision"] == "city"
    assert location["needs_confirmation"] is True
    assert "centre of its town or city" in location["warnings"]["/latitude"]
    read = admin.as_partner("GET", f"/locations/{location['id']}").get_json()
    assert (read["geocode_precision"], read["needs_confirmation"]) == ("city", True)
    assert read["warnings"] == location["warnings"]
    assert admin.as_operator("GET", f"/locations/{location['id']}").get_json()["needs_confirmation"] is True


def test_an_unknown_unit_postcode_is_placed_at_its_district_centre_and_says_so(admin: Admin) -> None:
    response = place(admin, "9 Example Court", "W1D 9ZZ")
    assert response.status_code == 201, response.get_json()
    location = response.get_json()
    assert (location["latitude"], location["longitude"]) == gazetteer_point(admin.client.application, "W1D")
    assert (location["geocode_precision"], location["needs_confirmation"]) == ("district", True)
    assert "postcode district" in location["warnings"]["/latitude"]


@pytest.mark.parametrize(
    ("postcode", "precision"),
    [("W1D 3QE", "postcode"), ("M4 1LE", "postcode")],
)
def test_a_known_unit_postcode_is_precise_enough(admin: Admin, postcode: str, precision: str) -> None:
    location = place(admin, "1 Example Street", postcode).get_json()
    assert (location["geocode_precision"], location["needs_confirmation"]) == (precision, False)
    assert "warnings" not in location


def test_coordinates_given_are_exact(admin: Admin) -> None:
    location = place(admin, "1 Example Street", "XX1 1XX", latitude=51.52, longitude=-0.1).get_json()
    assert (location["latitude"], location["longitude"]) == (51.52, -0.1)
    assert (location["geocode_precision"], location["needs_confirmation"]) == ("exact", False)


def test_a_partner_confirms_an_approximate_point_by_sending_coordinates(admin: Admin) -> None:
    created = place(admin, "5 Example Road", "XX1 1XX")
    location = created.get_json()
    # A PUT of the document as read keeps it approximate: sending it back confirms nothing.
    put = admin.as_partner(
        "PUT", f"/locations/{location['id']}", json=location, headers={"If-Match": created.headers["ETag"]}
    )
    assert put.status_code == 200, put.get_json()
    assert (put.get_json()["geocode_precision"], put.get_json()["needs_confirmation"]) == ("city", True)
    # Sending the point (the same one: it is right) confirms it.
    confirmed = admin.as_partner(
        "PATCH",
        f"/locations/{location['id']}",
        json={"latitude": location["latitude"], "longitude": location["longitude"]},
        headers={"If-Match": put.headers["ETag"]},
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    document = confirmed.get_json()
    assert (document["geocode_precision"], document["needs_confirmation"]) == ("exact", False)
    assert "warnings" not in document
    events = admin.as_operator("GET", f"/audit?entity_id={location['id']}").get_json()["contents"]
    changes = [event["changes"] for event in events if event["action"] == "update"]
    assert {"geocode_precision": {"before": "city", "after": "exact"}} in changes


def test_moving_the_point_makes_it_exact(admin: Admin) -> None:
    created = place(admin, "9 Example Court", "W1D 9ZZ")
    moved = admin.as_partner(
        "PATCH",
        f"/locations/{created.get_json()['id']}",
        json={"latitude": 51.514, "longitude": -0.132},
        headers={"If-Match": created.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["geocode_precision"] == "exact"


def test_a_partner_cannot_declare_a_point_precise(admin: Admin) -> None:
    refused = place(admin, "5 Example Road", "XX1 1XX", geocode_precision="exact")
    assert refused.status_code == 422
    assert "/geocode_precision" in refused.get_json()["errors"]
    created = place(admin, "5 Example Road", "XX1 1XX")
    patched = admin.as_partner(
        "PATCH",
        f"/locations/{created.get_json()['id']}",
        json={"geocode_precision": "exact"},
        headers={"If-Match": created.headers["ETag"]},
    )
    assert patched.status_code == 422
    assert "/geocode_precision" in patched.get_json()["errors"]


def test_an_address_that_matches_nothing_is_still_refused(admin: Admin) -> None:
    response = admin.as_partner(
        "POST",
        "/locations",
        json={"name": "Nowhere", "addresses": [address("1 Nowhere Lane", "XX1 1XX", city="Xyzzyville")]},
    )
    assert response.status_code == 422
    assert "could not place" in response.get_json()["errors"]["/latitude"]


def pending_service_at(admin: Admin, location_id: str) -> str:
    service = admin.as_partner("POST", "/services", json=new_service()).get_json()
    link = admin.as_partner(
        "POST", "/service_at_locations", json={"service_id": service["id"], "location_id": location_id}
    )
    assert link.status_code == 201, link.get_json()
    return str(service["id"])


def test_the_review_queue_shows_an_approximate_place(admin: Admin) -> None:
    location = place(admin, "5 Example Road", "XX1 1XX").get_json()
    service_id = pending_service_at(admin, location["id"])
    precise = place(admin, "1 Example Street", "W1D 3QE").get_json()
    precise_service_id = pending_service_at(admin, precise["id"])
    queue = admin.as_operator("GET", "/review_queue?per_page=100").get_json()["contents"]
    items = {item["service"]["id"]: item for item in queue}
    item = items[service_id]
    pointer = "/service/service_at_locations/0/location/latitude"
    assert "centre of its town or city" in item["warnings"][pointer]
    nested = item["service"]["service_at_locations"][0]["location"]
    assert (nested["geocode_precision"], nested["needs_confirmation"]) == ("city", True)
    assert items[precise_service_id]["warnings"] == {}


def publish_at(admin: Admin, location_id: str) -> str:
    service_id = pending_service_at(admin, location_id)
    criteria = [
        item["code"]
        for item in admin.as_operator("GET", CRITERIA_PATH).get_json()["contents"]
        if item["mandatory"]
    ]
    approved = admin.as_operator(
        "POST", f"/services/{service_id}/approve", json={"note": "Visited.", "criteria": criteria}
    )
    assert approved.status_code == 200, approved.get_json()
    return service_id


def test_a_confidential_place_placed_at_a_centre_shows_only_its_grid_cell(admin: Admin) -> None:
    location = place(admin, "9 Example Court", "W1D 9ZZ", confidential=True).get_json()
    assert location["geocode_precision"] == "district"
    centre = gazetteer_point(admin.client.application, "W1D")
    service_id = publish_at(admin, location["id"])
    public = admin.client.get(f"/api/v1/services/{service_id}").get_json()
    shown = public["service_at_locations"][0]["location"]
    assert (shown["latitude"], shown["longitude"]) == snap_to_grid(*centre)
    assert (shown["latitude"], shown["longitude"]) != centre
    for value in (shown["latitude"] + 90, shown["longitude"] + 180):
        assert (value / GRID_STEP_DEGREES - 0.5) == pytest.approx(round(value / GRID_STEP_DEGREES - 0.5))
    near = admin.client.get(f"/api/v1/service_at_locations?lat={centre[0]}&lng={centre[1]}&radius_km=5")
    found = [item for item in near.get_json()["contents"] if item["service_id"] == service_id]
    assert [(item["location"]["latitude"], item["location"]["longitude"]) for item in found] == [
        snap_to_grid(*centre)
    ]


def test_public_output_does_not_carry_the_precision(admin: Admin) -> None:
    location = place(admin, "5 Example Road", "XX1 1XX").get_json()
    service_id = publish_at(admin, location["id"])
    for path in (f"/api/v1/services/{service_id}", "/api/v1/service_at_locations?full=true&per_page=100"):
        text = json.dumps(admin.client.get(path).get_json())
        assert "geocode_precision" not in text and "needs_confirmation" not in text
    export = admin.client.get("/api/v1/export")
    assert export.status_code == 200 and b"geocode_precision" not in export.get_data()


def organisation_with_place(admin: Admin, location_id: str, postcode: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": str(admin.partner_id),
        "name": "First partner",
        "description": "Peer-led support.",
        "locations": [
            {
                "id": location_id,
                "name": "Night drop-in",
                "addresses": [
                    {"id": "9a4e1f52-6a8e-4c1b-9d0e-3f1e2d3c4b5a", **address("5 Example Road", postcode)}
                ],
                **fields,
            }
        ],
    }


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_partner_import_warns_of_approximate_places(admin: Admin, dry_run: bool) -> None:
    location_id = "2f1d3c4b-5a69-4788-8a9b-0c1d2e3f4a5b"
    body = organisation_with_place(admin, location_id, "XX1 1XX", geocode_precision="exact")
    response = admin.client.post(
        f"/api/v1/admin/import?dry_run={str(dry_run).lower()}",
        json=[body],
        headers=admin.headers(admin.partner_key),
    )
    assert response.status_code == 200, response.get_json()
    warning = response.get_json()["warnings"]["/0/locations/0/latitude"]
    assert warning.startswith("approximate: placed only at the centre of its town or city (London, GB)")
    stored = admin.as_partner("GET", f"/locations/{location_id}")
    if dry_run:
        assert stored.status_code == 404
        return
    assert (stored.get_json()["geocode_precision"], stored.get_json()["needs_confirmation"]) == ("city", True)
    # The same file again changes nothing, and a file giving the point confirms it.
    again = admin.client.post("/api/v1/admin/import", json=[body], headers=admin.headers(admin.partner_key))
    assert (again.get_json()["created"], again.get_json()["changed"]) == (0, 0)
    with_point = organisation_with_place(admin, location_id, "XX1 1XX", latitude=51.5, longitude=-0.11)
    admin.client.post("/api/v1/admin/import", json=[with_point], headers=admin.headers(admin.partner_key))
    assert admin.as_partner("GET", f"/locations/{location_id}").get_json()["geocode_precision"] == "exact"


def test_seeded_places_with_coordinates_are_exact(seeded_app: Flask) -> None:
    with seeded_app.app_context():
        precisions = set(get_session().scalars(select(Location.geocode_precision)))
    assert precisions == {"exact"}
