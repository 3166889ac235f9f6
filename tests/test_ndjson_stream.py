"""format=ndjson streams every matching public listing, one HSDS object a line, and caches by ETag."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services_api.core.directory import streaming
from tests.factories import import_listings, listing
from tests.hsds_schemas import assert_hsds


def _lines(client: FlaskClient, path: str) -> list[dict[str, Any]]:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/x-ndjson"
    text = response.get_data(as_text=True)
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def _all_pages(client: FlaskClient, path: str) -> list[dict[str, Any]]:
    separator = "&" if "?" in path else "?"
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = client.get(f"{path}{separator}per_page=100&page={page}").get_json()
        items += body["contents"]
        if body["last_page"]:
            return items
        page += 1


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the stream cross many batch boundaries even on the small demo directory."""
    monkeypatch.setattr(streaming, "BATCH_SIZE", 3)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/services",
        "/api/v1/services?full=true",
        "/api/v1/services?minimal=true",
        "/api/v1/services?search=clinic",
        "/api/v1/service_at_locations",
        "/api/v1/service_at_locations?full=true",
        "/api/v1/services?near=London&radius_km=50",
        "/api/v1/service_at_locations?near=London&radius_km=50&attribute=free",
    ],
)
def test_ndjson_holds_exactly_what_the_pages_hold_in_the_same_order(
    client: FlaskClient, small_batches: None, path: str
) -> None:
    separator = "&" if "?" in path else "?"
    streamed = _lines(client, f"{path}{separator}format=ndjson")
    paged = _all_pages(client, path)
    assert streamed
    assert [item["id"] for item in streamed] == [item["id"] for item in paged]
    # A stream is a copy to keep: it also carries every translation (README: Languages).
    assert _without_translations(streamed) == _without_translations(paged)


def _without_translations(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_translations(item) for key, item in value.items() if key != "translations"}
    if isinstance(value, list):
        return [_without_translations(item) for item in value]
    return value


def test_the_stream_carries_the_demo_translations(client: FlaskClient) -> None:
    streamed = _lines(client, "/api/v1/services?format=ndjson")
    carried = [item["translations"] for item in streamed if "translations" in item]
    assert carried and all({"es", "pt", "fr"} <= set(texts) for texts in carried)


def test_ndjson_lines_are_valid_hsds(client: FlaskClient) -> None:
    for service in _lines(client, "/api/v1/services?format=ndjson&full=true"):
        assert_hsds(service, "service.json")
    for link in _lines(client, "/api/v1/service_at_locations?format=ndjson&full=true"):
        assert_hsds(link, "service_at_location.json")


def test_ndjson_streams_services_that_share_a_name_without_losing_or_repeating_any(
    app: Flask, small_batches: None
) -> None:
    import_listings(app, [listing("Drop-in", 10.0, 10.0 + index / 100) for index in range(8)])
    streamed = _lines(app.test_client(), "/api/v1/services?format=ndjson")
    ids = [item["id"] for item in streamed]
    assert len(ids) == 8 and len(set(ids)) == 8
    assert ids == sorted(ids)


def test_ndjson_of_no_match_is_an_empty_body(client: FlaskClient) -> None:
    response = client.get("/api/v1/services?format=ndjson&search=zzzznothingmatches")
    assert response.status_code == 200
    assert response.get_data() == b""


def test_ndjson_is_answered_304_until_the_directory_changes(seeded_app: Flask) -> None:
    client = seeded_app.test_client()
    first = client.get("/api/v1/services?format=ndjson")
    assert first.get_data()
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public")
    again = client.get("/api/v1/services?format=ndjson", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    other_query = client.get("/api/v1/services?format=ndjson&full=true", headers={"If-None-Match": etag})
    assert other_query.status_code == 200 and other_query.get_data()
    import_listings(seeded_app, [listing("A new clinic", 51.5, -0.1)])
    changed = client.get("/api/v1/services?format=ndjson", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "A new clinic" in changed.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/v1/organizations?format=xml", "/api/v1/services?format=csv"])
def test_unsupported_formats_are_a_400_naming_format(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert "format" in response.get_json()["errors"]


@pytest.mark.parametrize(
    ("path", "status", "parameter"),
    [
        ("/api/v1/services?format=ndjson&near=Nowhereville", 422, "near"),
        ("/api/v1/service_at_locations?format=ndjson&category=no-such-category", 400, "category"),
        ("/api/v1/services?format=ndjson&lat=91&lng=0", 400, "lat"),
    ],
)
def test_bad_search_input_is_a_json_error_before_any_line_is_streamed(
    client: FlaskClient, path: str, status: int, parameter: str
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert parameter in response.get_json()["errors"]
