"""Partners' addresses without coordinates are placed by the configured geocoder (offline by default).

Nominatim is exercised against a small Nominatim-shaped server on 127.0.0.1: nothing leaves the machine.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from flask import Flask

from tests.admin_helpers import make_admin

PLACES = {"221 Example Road, Leeds, LS1 4AP, GB": ("53.7997", "-1.5492")}
# Answers with Nominatim's place_rank: a town (16) and a whole country (4).
RANKED: dict[str, tuple[str, str, int]] = {
    "Leeds, GB": ("53.7965", "-1.5478", 16),
    "Nowhere Land, GB": ("54.0", "-2.0", 4),
}


class FakeNominatim(BaseHTTPRequestHandler):
    """Answers /search like Nominatim's JSON API, for the addresses in PLACES only."""

    calls: list[dict[str, Any]] = []

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query).get("q", [""])[0]
        FakeNominatim.calls.append(
            {"path": url.path, "q": query, "agent": self.headers["User-Agent"], "at": time.monotonic()}
        )
        found = PLACES.get(query)
        body: list[dict[str, Any]] = (
            [{"lat": found[0], "lon": found[1], "display_name": query}] if found else []
        )
        if query in RANKED:
            latitude, longitude, rank = RANKED[query]
            body = [{"lat": latitude, "lon": longitude, "display_name": query, "place_rank": rank}]
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: Any) -> None:
        return


@pytest.fixture
def nominatim() -> Iterator[str]:
    FakeNominatim.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


def address(street: str, city: str, postcode: str) -> dict[str, str]:
    return {
        "address_1": street,
        "city": city,
        "state_province": "England",
        "postal_code": postcode,
        "country": "GB",
        "address_type": "physical",
    }


def test_nominatim_places_partner_addresses_at_the_configured_pace(seeded_app: Flask, nominatim: str) -> None:
    seeded_app.config.update(
        GEOCODER="nominatim",
        NOMINATIM_DOMAIN=nominatim,
        NOMINATIM_SCHEME="http",
        NOMINATIM_USER_AGENT="services_api-tests",
        GEOCODER_MIN_DELAY_SECONDS=0.3,
    )
    admin = make_admin(seeded_app)
    body = {"name": "Leeds drop-in", "addresses": [address("221 Example Road", "Leeds", "LS1 4AP")]}
    first = admin.as_partner("POST", "/locations", json=body)
    assert first.status_code == 201, first.get_json()
    assert (first.get_json()["latitude"], first.get_json()["longitude"]) == (53.7997, -1.5492)
    second = admin.as_partner("POST", "/locations", json=body)
    assert second.status_code == 201
    calls = FakeNominatim.calls
    assert [call["q"] for call in calls] == ["221 Example Road, Leeds, LS1 4AP, GB"] * 2
    assert all(call["path"] == "/search" and call["agent"] == "services_api-tests" for call in calls)
    assert calls[1]["at"] - calls[0]["at"] >= 0.2

    unknown = {"name": "Nowhere", "addresses": [address("1 Nowhere Lane", "Atlantis", "ZZ9 9ZZ")]}
    refused = admin.as_partner("POST", "/locations", json=unknown)
    assert refused.status_code == 422
    assert "/latitude" in refused.get_json()["errors"]


def test_the_default_geocoder_never_calls_the_network(seeded_app: Flask, nominatim: str) -> None:
    seeded_app.config.update(NOMINATIM_DOMAIN=nominatim, NOMINATIM_SCHEME="http")
    admin = make_admin(seeded_app)
    response = admin.as_partner(
        "POST", "/locations", json={"name": "London", "addresses": [address("9 Way", "London", "W1D 3QU")]}
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["latitude"] == pytest.approx(51.51, abs=0.05)
    assert FakeNominatim.calls == []


def test_a_geocoder_that_fails_is_reported_not_guessed(seeded_app: Flask) -> None:
    seeded_app.config.update(GEOCODER="nominatim", NOMINATIM_DOMAIN="127.0.0.1:9", NOMINATIM_SCHEME="http")
    admin = make_admin(seeded_app)
    response = admin.as_partner(
        "POST", "/locations", json={"name": "x", "addresses": [address("9 Way", "London", "W1D 3QU")]}
    )
    assert response.status_code == 422
    assert "/latitude" in response.get_json()["errors"]


def test_a_partner_import_places_addresses_through_nominatim(seeded_app: Flask, nominatim: str) -> None:
    seeded_app.config.update(
        GEOCODER="nominatim",
        NOMINATIM_DOMAIN=nominatim,
        NOMINATIM_SCHEME="http",
        GEOCODER_MIN_DELAY_SECONDS=0.0,
    )
    admin = make_admin(seeded_app)
    location_id = "5b0c7d0e-8a39-4d7e-9a77-1f1f3f0e2a10"
    document = {
        "id": str(admin.partner_id),
        "name": "First partner",
        "description": "Drop-in for sex workers in Leeds.",
        "locations": [
            {
                "id": location_id,
                "name": "Leeds drop-in",
                "addresses": [
                    {
                        "id": "6c1d8e1f-9b4a-4e8f-8b88-2a2a4f1f3b21",
                        **address("221 Example Road", "Leeds", "LS1 4AP"),
                    }
                ],
            }
        ],
    }
    response = admin.client.post(
        "/api/v1/admin/import", json=[document], headers=admin.headers(admin.partner_key)
    )
    assert response.status_code == 200, response.get_json()
    location = admin.as_partner("GET", f"/locations/{location_id}").get_json()
    assert (location["latitude"], location["longitude"]) == (53.7997, -1.5492)
    assert [call["q"] for call in FakeNominatim.calls] == ["221 Example Road, Leeds, LS1 4AP, GB"]


def test_nominatim_answers_keep_their_precision(seeded_app: Flask, nominatim: str) -> None:
    seeded_app.config.update(
        GEOCODER="nominatim",
        NOMINATIM_DOMAIN=nominatim,
        NOMINATIM_SCHEME="http",
        GEOCODER_MIN_DELAY_SECONDS=0.0,
    )
    admin = make_admin(seeded_app)
    found = admin.as_partner(
        "POST",
        "/locations",
        json={"name": "Leeds", "addresses": [address("221 Example Road", "Leeds", "LS1 4AP")]},
    ).get_json()
    assert (found["geocode_precision"], found["needs_confirmation"]) == ("address", False)
    town = admin.as_partner(
        "POST",
        "/locations",
        json={"name": "Leeds", "addresses": [address("1 Unknown Row", "Leeds", "XX1 1XX")]},
    )
    assert town.status_code == 201, town.get_json()
    assert (town.get_json()["latitude"], town.get_json()["longitude"]) == (53.7965, -1.5478)
    assert (town.get_json()["geocode_precision"], town.get_json()["needs_confirmation"]) == ("city", True)
    country = admin.as_partner(
        "POST",
        "/locations",
        json={"name": "x", "addresses": [address("1 Unknown Row", "Nowhere Land", "XX1 1XX")]},
    )
    assert country.status_code == 422, country.get_json()
    assert "/latitude" in country.get_json()["errors"]
