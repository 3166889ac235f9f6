"""`near=` and `postcode=` resolve real UK input toward the directory and say which place they used."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services_api import create_app
from services_api.config import ConfigError
from services_api.geo.sphere import Point, distance_km
from tests.conftest import _database_url
from tests.hsds_schemas import assert_hsds_page

LONDON = Point(51.5085, -0.1257)
MANCHESTER = Point(53.4809, -2.2374)


@pytest.fixture
def gb_client(templates: dict[str, Any], tmp_path: Path) -> Iterator[FlaskClient]:
    """A client of the demo directory configured as a UK directory (DIRECTORY_COUNTRIES=GB)."""
    settings = {"APP_ENV": "testing", "DATABASE_URL": _database_url(templates, tmp_path, seeded=True)}
    app = create_app({**settings, "DIRECTORY_COUNTRIES": "GB"})
    yield app.test_client()
    app.extensions["db_engine"].dispose()


def _place(client: FlaskClient, query: str, endpoint: str = "services") -> dict[str, Any]:
    response = client.get(f"/api/v1/{endpoint}", query_string={"near": query, "per_page": 5})
    assert response.status_code == 200, (query, response.get_json())
    place: dict[str, Any] = response.get_json()["place"]
    return place


def _at(place: dict[str, Any]) -> Point:
    return Point(place["latitude"], place["longitude"])


@pytest.mark.parametrize("name", ["Camden", "Richmond", "Kingston", "Stratford"])
def test_ambiguous_london_names_resolve_in_london_in_a_uk_directory(
    gb_client: FlaskClient, name: str
) -> None:
    response = gb_client.get("/api/v1/services", query_string={"near": name, "min_results": 3})
    body = response.get_json()
    assert body["place"]["country"] == "GB"
    assert distance_km(_at(body["place"]), LONDON) < 20, body["place"]
    assert body["other_places"], "the name is ambiguous: the other places are offered"
    assert all(other["near"] != body["place"]["near"] for other in body["other_places"])
    assert all(item["distance_km"] < 25 for item in body["contents"]), "results are near London, not abroad"


def test_the_directory_leans_toward_its_listings_even_across_its_countries(client: FlaskClient) -> None:
    """The demo lists in AU, CA, GB and US; Camden still means the one with listings near it."""
    body = client.get("/api/v1/services?near=Camden&min_results=3").get_json()
    assert body["place"]["country"] == "GB" and body["place"]["part_of"] == "London"
    assert "Camden, New Jersey, US" in [other["near"] for other in body["other_places"]]
    assert all(item["distance_km"] < 25 for item in body["contents"])


def test_the_other_places_offered_are_called_what_was_typed(client: FlaskClient) -> None:
    body = client.get("/api/v1/services?near=Manchester").get_json()
    assert body["place"]["near"].startswith("Manchester, England")
    others = [other["near"] for other in body["other_places"]]
    assert "Manchester, New Hampshire, US" in others
    assert all(other.startswith("Manchester, ") for other in others), others


def test_a_typo_gets_a_422_with_the_place_it_meant(gb_client: FlaskClient) -> None:
    response = gb_client.get("/api/v1/services?near=Mancester")
    assert response.status_code == 422
    body = response.get_json()
    assert "near" in body["errors"] and "Mancester" in body["message"]
    first = body["errors"]["suggestions"][0]
    assert (first["name"], first["country"]) == ("Manchester", "GB")
    assert len(body["errors"]["suggestions"]) <= 5
    assert "Did you mean: Manchester, England, GB" in " ".join(body["errors"]["near"])


def test_a_typo_is_not_taken_for_a_foreign_place_that_records_it(client: FlaskClient) -> None:
    """Manchester, New Hampshire lists "Mancester" among its names; the demo also lists in the US."""
    response = client.get("/api/v1/services?near=Mancester")
    assert response.status_code == 422
    assert response.get_json()["errors"]["suggestions"][0]["near"] == "Manchester, England, GB"


def test_a_place_only_abroad_is_never_a_silent_guess(gb_client: FlaskClient, client: FlaskClient) -> None:
    for each in (gb_client, client):
        response = each.get("/api/v1/service_at_locations?near=Atlantis")
        assert response.status_code == 422, response.get_json()
        suggestions = response.get_json()["errors"]["suggestions"]
        assert "Atlantis, Western Cape, ZA" in [place["near"] for place in suggestions]
    named = gb_client.get("/api/v1/services?near=Atlantis,%20South%20Africa&min_results=1").get_json()
    assert named["place"]["country"] == "ZA"


@pytest.mark.parametrize(
    ("query", "kind", "precision", "near", "within_km"),
    [
        ("SE1 7PB", "postcode", "postcode sector", Point(51.4977, -0.1124), 1.0),
        ("se17pb", "postcode", "postcode sector", Point(51.4977, -0.1124), 1.0),
        ("M13 9PL", "postcode", "postcode sector", Point(53.4666, -2.2251), 1.0),
        ("EC1A 1BB", "postcode", "postcode sector", Point(51.5244, -0.1120), 1.0),
        ("SE1", "postcode district", "postcode district", Point(51.4987, -0.0904), 1.0),
        ("M13", "postcode district", "postcode district", Point(53.4608, -2.2159), 1.0),
        ("SE1 7", "postcode sector", "postcode sector", Point(51.4977, -0.1124), 0.1),
        ("BT1 1AA", "postcode", "postcode district", Point(54.5833, -5.9333), 1.0),
        ("Hackney", "borough", "borough", Point(51.545, -0.055), 3.0),
        ("King's Cross", "neighbourhood", "neighbourhood", Point(51.530, -0.123), 1.0),
        ("Kings Cross", "neighbourhood", "neighbourhood", Point(51.530, -0.123), 2.0),
        ("Moss Side", "neighbourhood", "neighbourhood", Point(53.4564, -2.2396), 0.5),
        ("Manchester, UK", "city", "city", MANCHESTER, 0.5),
        ("Manchester, England", "city", "city", MANCHESTER, 0.5),
        ("Moss Side, Manchester", "neighbourhood", "neighbourhood", Point(53.4564, -2.2396), 0.5),
        ("Camden, London", "borough", "borough", Point(51.543, -0.159), 1.0),
        ("Richmond, London", "borough", "borough", Point(51.44, -0.33), 5.0),
    ],
)
def test_real_uk_places_and_postcodes_resolve_and_say_how_precisely(
    client: FlaskClient, query: str, kind: str, precision: str, near: Point, within_km: float
) -> None:
    place = _place(client, query)
    assert (place["country"], place["kind"], place["precision"]) == ("GB", kind, precision), place
    assert distance_km(_at(place), near) < within_km, place


def test_a_unit_postcode_outside_the_data_uses_its_sector_and_says_so(client: FlaskClient) -> None:
    unit = _place(client, "SE1 7PB")
    sector = _place(client, "SE1 7")
    assert unit["name"] == "SE1 7PB" and unit["precision"] == "postcode sector"
    assert _at(unit) == _at(sector) and sector["name"] == "SE1 7"
    assert unit["part_of"] == "London" and unit["region"] == "England"
    district = client.get("/api/v1/services?postcode=SE17&proximity=1000").get_json()["place"]
    assert district["name"] == "SE17" and district["precision"] == "postcode district"
    assert distance_km(_at(district), _at(sector)) > 0.5, "the district SE17 is not the sector SE1 7"


def test_a_name_may_lack_its_spaces_and_accents(client: FlaskClient) -> None:
    assert _place(client, "Mossside, Manchester")["name"] == "Moss Side"
    assert _place(client, "Sao Paulo, Brazil")["country"] == "BR"


def test_every_candidate_offered_resolves_back_to_itself(gb_client: FlaskClient) -> None:
    body = gb_client.get("/api/v1/services?near=Richmond").get_json()
    for other in body["other_places"]:
        if other["country"] == "GB":
            again = _place(gb_client, other["near"])
            assert distance_km(_at(again), _at(other)) < 0.1, (other, again)


def test_place_members_keep_the_page_a_valid_hsds_page(client: FlaskClient) -> None:
    for path, schema in (
        ("/api/v1/services?near=Hackney&per_page=100", "compiled/service_list.json"),
        (
            "/api/v1/service_at_locations?postcode=SE1%207PB&proximity=5000",
            "compiled/service_at_location_list.json",
        ),
    ):
        body = client.get(path).get_json()
        assert {"place", "other_places"} <= set(body)
        assert_hsds_page(body, schema, extra={"place", "other_places"})
    plain = client.get("/api/v1/services?lat=51.5&lng=-0.1").get_json()
    assert "place" not in plain and "other_places" not in plain


def test_streams_carry_the_place_in_headers(client: FlaskClient) -> None:
    response = client.get("/api/v1/services?near=M%C3%BCnchen,%20DE&format=ndjson")
    assert response.status_code == 200
    place = json.loads(response.headers["Search-Place"])
    assert place["name"] == "Munich" and place["country"] == "DE"
    assert json.loads(response.headers["Search-Other-Places"]) == []
    assert response.headers["Search-Place"].isascii()
    assert "Search-Place" in response.headers.get("Access-Control-Expose-Headers", "")


def test_directory_countries_must_be_country_codes(app: Flask) -> None:
    settings = {"APP_ENV": "testing", "DATABASE_URL": app.config["DATABASE_URL"]}
    assert create_app({**settings, "DIRECTORY_COUNTRIES": " gb, ie "}).config["DIRECTORY_COUNTRIES"] == (
        "GB",
        "IE",
    )
    with pytest.raises(ConfigError, match="DIRECTORY_COUNTRIES"):
        create_app({**settings, "DIRECTORY_COUNTRIES": "GB,England"})
