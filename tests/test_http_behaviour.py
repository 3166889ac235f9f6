"""Caching, CORS, errors and parameter validation behave as HTTP clients expect."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

PUBLIC_GETS = (
    "/api/v1/services",
    "/api/v1/service_at_locations",
    "/api/v1/organizations",
    "/api/v1/taxonomies",
    "/api/v1/taxonomy_terms",
    "/api/v1/swagger.json",
    "/api/v1/openapi.json",
)


def _assert_error(response, status: int, parameter: str | None = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == status
    if parameter:
        assert parameter in body["errors"]
        assert parameter in body["message"]
    return body


@pytest.mark.parametrize("path", (*PUBLIC_GETS, "/api/v1/services?format=ndjson", "/api/v1/export"))
def test_every_get_has_an_etag_and_answers_304_when_unchanged(client: FlaskClient, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200 and first.data
    etag = first.headers["ETag"]
    assert "public" in first.headers["Cache-Control"] and "max-age=" in first.headers["Cache-Control"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    other = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data


def test_etag_changes_when_the_data_changes(client: FlaskClient, db) -> None:  # type: ignore[no-untyped-def]
    from services_api.models import Service

    etag = client.get("/api/v1/services").headers["ETag"]
    service_id = client.get("/api/v1/services").get_json()["contents"][0]["id"]
    service = db.get(Service, uuid.UUID(service_id))
    service.description = "Now also open on Sundays."
    db.commit()
    response = client.get("/api/v1/services", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


PLACE_SEARCHES = (
    "/api/v1/service_at_locations?lat=51.5134&lng=-0.1318&radius_km=3",
    "/api/v1/services?lat=51.5134&lng=-0.1318",
    "/api/v1/services?near=Manchester&category=housing",
    "/api/v1/service_at_locations?postcode=W1D%203QU&proximity=2000",
    "/api/v1/service_at_locations?bbox=-0.25,51.45,-0.05,51.56",
    "/api/v1/services?lat=51.5134&lng=-0.1318&format=ndjson",
    "/api/v1/service_at_locations?near=Manchester&format=ndjson&full=true",
)


def _never_stored(response) -> None:  # type: ignore[no-untyped-def]
    directives = {part.strip().split("=")[0] for part in response.headers["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives and not directives & {"public", "max-age", "s-maxage"}


@pytest.mark.parametrize("path", PLACE_SEARCHES)
def test_answers_to_searches_with_a_place_are_kept_by_no_cache(client: FlaskClient, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200 and first.data
    _never_stored(first)
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    _never_stored(again)
    without_place = client.get(path.split("?")[0] + "?format=ndjson" * ("ndjson" in path))
    assert without_place.data and without_place.headers["Cache-Control"].startswith("public")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/services?lat=95&lng=0",
        "/api/v1/services?near=Nowhere%20at%20all%20Ville",
        "/api/v1/service_at_locations?lat=51.5&lng=-0.1&radius_km=0",
        "/api/v1/service_at_locations?bbox=1,2,3",
    ],
)
def test_refused_searches_with_a_place_are_kept_by_no_cache_either(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert 400 <= response.status_code < 500
    _never_stored(response)


def test_the_root_links_to_the_public_url_and_never_echoes_the_host(seeded_app: Flask) -> None:
    client = seeded_app.test_client()
    echoed = client.get("/api/v1/", headers={"Host": "attacker.example"})
    assert echoed.get_json()["openapi_url"] == "http://attacker.example/api/v1/openapi.json"
    redirect = client.get("/api/v1", headers={"Host": "attacker.example"})
    assert redirect.headers["Location"] == "http://attacker.example/api/v1/"
    assert "private" in redirect.headers["Cache-Control"]
    assert (
        echoed.headers["Cache-Control"].startswith("private")
        and "public" not in echoed.headers["Cache-Control"]
    )
    seeded_app.config["PUBLIC_URL"] = "https://directory.example.org"
    body = client.get("/api/v1/", headers={"Host": "attacker.example"})
    assert body.get_json() == {
        "version": "3.0",
        "profile": "https://directory.example.org/api/v1/docs",
        "openapi_url": "https://directory.example.org/api/v1/openapi.json",
    }
    assert body.headers["Cache-Control"].startswith("public")
    assert client.get("/api/v1/", headers={"If-None-Match": body.headers["ETag"]}).status_code == 304
    redirect = client.get("/api/v1", headers={"Host": "attacker.example"})
    assert redirect.headers["Location"] == "https://directory.example.org/api/v1/"


@pytest.mark.parametrize("path", PUBLIC_GETS)
def test_public_gets_allow_any_origin_and_set_no_cookie(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Origin": "https://outreach-app.example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers


def test_unknown_path_gets_a_json_404(client: FlaskClient) -> None:
    _assert_error(client.get("/api/v1/no-such-thing"), 404)
    _assert_error(client.get("/nothing-here"), 404)


def test_unknown_ids_get_a_json_404_naming_the_record(client: FlaskClient) -> None:
    for kind in ("services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"):
        body = _assert_error(client.get(f"/api/v1/{kind}/{uuid.uuid4()}"), 404)
        assert kind.rstrip("s").replace("taxonomie", "taxonomy") in body["message"]


def test_wrong_method_gets_a_json_405_with_allow(client: FlaskClient) -> None:
    response = client.post("/api/v1/services", json={"name": "x"})
    _assert_error(response, 405)
    assert "GET" in response.headers["Allow"]
    _assert_error(client.delete(f"/api/v1/services/{uuid.uuid4()}"), 405)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=0", "page"),
        ("page=-3", "page"),
        ("page=abc", "page"),
        ("page=44275472338921390633110941407903744", "page"),
        ("per_page=abc", "per_page"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=99999999999999999999999", "per_page"),
        ("modified_after=yesterday", "modified_after"),
        ("modified_after=2026-13-45", "modified_after"),
        ("taxonomy_term_id=not-a-uuid", "taxonomy_term_id"),
        ("organization_id=123", "organization_id"),
        ("taxonomy_id=%00", "taxonomy_id"),
        ("full=maybe", "full"),
        ("format=xml", "format"),
    ],
)
def test_invalid_parameters_get_a_400_naming_them(client: FlaskClient, query: str, parameter: str) -> None:
    _assert_error(client.get(f"/api/v1/services?{query}"), 400, parameter)
    _assert_error(client.get(f"/api/v1/service_at_locations?{query}"), 400, parameter)


@pytest.mark.parametrize(
    "kind", ["services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"]
)
def test_malformed_ids_get_a_400_naming_the_id(client: FlaskClient, kind: str) -> None:
    _assert_error(client.get(f"/api/v1/{kind}/not-a-uuid"), 400, "id")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/taxonomy_terms?parent_id=nope",
        "/api/v1/taxonomy_terms?top_only=perhaps",
        "/api/v1/organizations?full_service=2x",
        "/api/v1/taxonomies?per_page=-1",
        "/api/v1/services?search=" + "x" * 500,
        "/api/v1/services?search=a%00b",
        "/api/v1/taxonomy_terms?search=%0D%0Ainjected",
    ],
)
def test_invalid_parameters_on_other_lists_get_a_400(client: FlaskClient, path: str) -> None:
    _assert_error(client.get(path), 400)


def test_odd_but_harmless_requests_never_produce_a_server_error(client: FlaskClient) -> None:
    odd = [
        "/api/v1/services?search=%25%25%25",
        "/api/v1/services?search=_",
        "/api/v1/services?search='; DROP TABLE service; --",
        "/api/v1/services?search=%F0%9F%8F%A5",
        "/api/v1/services?page=9999",
        "/api/v1/services?unknown=1&_=1234",
        "/api/v1/services?modified_after=2026-01-01T00:00:00%2B05:00",
        "/api/v1/organizations?search=%E2%80%8B",
        "/api/v1/services/%00",
        "/api/v1/organizations?search=%00",
        "/api/v1/taxonomy_terms?search=x%00",
    ]
    for path in odd:
        response = client.get(path)
        assert response.status_code < 500, path
        assert response.is_json, path


def test_page_past_the_end_is_empty_but_reports_totals(client: FlaskClient) -> None:
    body = client.get("/api/v1/services?page=9999").get_json()
    assert body["contents"] == [] and body["size"] == 0
    assert body["total_items"] > 0 and body["empty"] is False and body["last_page"] is True
