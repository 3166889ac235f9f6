"""Caching, CORS, errors and parameter validation behave as HTTP clients expect."""

from __future__ import annotations

import uuid

import pytest
from flask.testing import FlaskClient

PUBLIC_GETS = (
    "/api/v1/",
    "/api/v1/services",
    "/api/v1/service_at_locations",
    "/api/v1/organizations",
    "/api/v1/taxonomies",
    "/api/v1/taxonomy_terms",
    "/api/v1/swagger.json",
)


def _assert_error(response, status: int, parameter: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == status
    if parameter:
        assert parameter in body["errors"]
        assert parameter in body["message"]
    return body


@pytest.mark.parametrize("path", PUBLIC_GETS)
def test_every_get_has_an_etag_and_answers_304_when_unchanged(client: FlaskClient, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert "public" in first.headers["Cache-Control"] and "max-age=" in first.headers["Cache-Control"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200


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
