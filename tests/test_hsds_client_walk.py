"""Walk the public API as an HSDS client would: from `/`, through every GET in the OpenAPI document.

Every list is paged through (first, middle and last pages, then all of them): totals agree, the
order is stable, and no item is missing or repeated across pages. Every listed id resolves at its
`/{id}` endpoint, and every response is valid HSDS 3.0. The lists with `modified_after` are walked
the same way by `page`, after listings left public output, so that tombstones are validated too.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.admin_helpers import Admin, make_admin
from tests.hsds_schemas import assert_hsds, assert_hsds_page

# What each list and record of our spec holds, by the HSDS schema that describes it.
LISTS = {
    "/services": "compiled/service_list.json",
    "/service_at_locations": "compiled/service_at_location_list.json",
    "/organizations": "compiled/organization_list.json",
    "/taxonomies": "taxonomy.json",
    "/taxonomy_terms": "taxonomy_term.json",
}
RECORDS = {
    "/services/{id}": "service.json",
    "/service_at_locations/{id}": "service_at_location.json",
    "/organizations/{id}": "organization.json",
    "/taxonomies/{id}": "taxonomy.json",
    "/taxonomy_terms/{id}": "taxonomy_term.json",
}
NDJSON_LISTS = {
    "/services": "service.json",
    "/service_at_locations": "service_at_location.json",
    "/organizations": "organization.json",
    "/taxonomies": "taxonomy.json",
    "/taxonomy_terms": "taxonomy_term.json",
}
DELTA_LISTS = {"/services": "service.json", "/service_at_locations": "service_at_location.json"}
EPOCH = "1970-01-01T00:00:00Z"
OTHER = {"/", "/export"}


@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    """The OpenAPI document, found the way a client finds it: from the root's `openapi_url`."""
    root = client.get("/api/v1/")
    assert root.status_code == 200
    meta = root.get_json()
    assert meta["version"] == "3.0"
    response = client.get(meta["openapi_url"])
    assert response.status_code == 200
    document: dict[str, Any] = response.get_json()
    return document


def _get_paths(spec: dict[str, Any]) -> set[str]:
    """The public GET paths (the admin API needs a key and is not HSDS)."""
    return {
        path
        for path, operations in spec["paths"].items()
        if "get" in operations and not path.startswith("/admin")
    }


def test_the_walk_covers_every_get_endpoint_of_the_spec(spec: dict[str, Any]) -> None:
    assert _get_paths(spec) == set(LISTS) | set(RECORDS) | OTHER


def _page(
    client: FlaskClient, base: str, path: str, page: int, per_page: int, since: str | None = None
) -> dict[str, Any]:
    delta = f"&modified_after={since}" if since else ""
    response = client.get(f"{base}{path}?per_page={per_page}&page={page}{delta}")
    assert response.status_code == 200, f"{path} page {page}"
    body: dict[str, Any] = response.get_json()
    return body


@pytest.mark.parametrize("path", sorted(LISTS))
def test_every_list_pages_consistently_and_every_item_resolves(
    client: FlaskClient, spec: dict[str, Any], path: str
) -> None:
    base = spec["servers"][0]["url"]
    total = _page(client, base, path, 1, 1)["total_items"]
    assert total >= 2, f"{path}: the demo directory should fill several pages"
    per_page = max(1, math.ceil(total / 3))
    first = _page(client, base, path, 1, per_page)
    pages = first["total_pages"]
    assert first["total_items"] == total and pages == math.ceil(total / per_page) >= 2
    assert first["first_page"] and not first["last_page"] and not first["empty"]
    middle_number = (pages + 1) // 2
    middle, last = (
        _page(client, base, path, middle_number, per_page),
        _page(client, base, path, pages, per_page),
    )
    assert last["last_page"] and last["size"] == total - per_page * (pages - 1)
    walked: list[dict[str, Any]] = []
    for number in range(1, pages + 1):
        body = _page(client, base, path, number, per_page)
        assert body["total_items"] == total and body["total_pages"] == pages
        assert body["page_number"] == number and body["size"] == len(body["contents"])
        assert body["first_page"] == (number == 1) and body["last_page"] == (number == pages)
        assert_hsds_page(body, LISTS[path])
        walked += body["contents"]
    ids = [item["id"] for item in walked]
    assert len(ids) == len(set(ids)) == total, f"{path}: an item is repeated or missing across pages"
    in_middle = ids[per_page * (middle_number - 1) : per_page * middle_number]
    assert [item["id"] for item in middle["contents"]] == in_middle, f"{path}: the order is not stable"
    beyond = client.get(f"{base}{path}?per_page={per_page}&page={pages + 1}").get_json()
    assert beyond["contents"] == [] and beyond["total_items"] == total
    record_schema = RECORDS[f"{path}/{{id}}"]
    for record_id in ids:
        response = client.get(f"{base}{path}/{record_id}")
        assert response.status_code == 200, f"{path}/{record_id}"
        record = response.get_json()
        assert record["id"] == record_id
        assert_hsds(record, record_schema)


@pytest.mark.parametrize("path", sorted(NDJSON_LISTS))
def test_ndjson_lists_hold_the_same_items_as_the_pages(
    client: FlaskClient, spec: dict[str, Any], path: str
) -> None:
    base = spec["servers"][0]["url"]
    response = client.get(f"{base}{path}?format=ndjson&full=true")
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    for item in lines:
        assert_hsds(item, NDJSON_LISTS[path])
    paged = client.get(f"{base}{path}?per_page=100").get_json()
    assert len(lines) == paged["total_items"]
    if paged["total_pages"] == 1:
        assert [item["id"] for item in lines] == [item["id"] for item in paged["contents"]]


def test_export_is_a_package_of_the_public_directory(client: FlaskClient, spec: dict[str, Any]) -> None:
    response = client.get(spec["servers"][0]["url"] + "/export")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert "datapackage.json" in archive.namelist()
    services = archive.read("services.csv").decode("utf-8").count("\n")
    assert services > client.get(spec["servers"][0]["url"] + "/services").get_json()["total_items"]


def test_unknown_ids_are_a_json_404_at_every_record_endpoint(
    client: FlaskClient, spec: dict[str, Any]
) -> None:
    for path in RECORDS:
        response = client.get(
            spec["servers"][0]["url"] + path.replace("{id}", "00000000-0000-4000-8000-000000000000")
        )
        assert response.status_code == 404
        assert set(response.get_json()) == {"code", "status", "message", "errors"}


def _remove_some_listings(admin: Admin) -> None:
    """Withdraw one public service and suspend another, so that deltas hold tombstones."""
    own = [item for item in admin.as_partner("GET", "/services?per_page=100").get_json()["contents"]]
    public = [item for item in own if item["public"]]
    etag = admin.as_partner("GET", f"/services/{public[0]['id']}").headers["ETag"]
    assert (
        admin.as_partner("DELETE", f"/services/{public[0]['id']}", headers={"If-Match": etag}).status_code
        == 200
    )
    suspended = admin.as_operator("POST", f"/services/{public[1]['id']}/suspend", json={"note": "Checking."})
    assert suspended.status_code == 200


@pytest.mark.parametrize("path", sorted(DELTA_LISTS))
def test_every_delta_pages_by_page_and_every_item_and_tombstone_is_valid_hsds(
    seeded_app: Any, path: str
) -> None:
    admin = make_admin(seeded_app)
    client = admin.client
    _remove_some_listings(admin)
    base = client.get(client.get("/api/v1/").get_json()["openapi_url"]).get_json()["servers"][0]["url"]
    total = _page(client, base, path, 1, 1, EPOCH)["total_items"]
    per_page = max(1, math.ceil(total / 3))
    pages = _page(client, base, path, 1, per_page, EPOCH)["total_pages"]
    assert pages == math.ceil(total / per_page) >= 2
    walked: list[dict[str, Any]] = []
    for number in range(1, pages + 1):
        body = _page(client, base, path, number, per_page, EPOCH)
        assert body["page_number"] == number and body["total_items"] == total
        assert body["first_page"] == (number == 1) and body["last_page"] == (number == pages)
        assert_hsds_page(body, LISTS[path], extra={"next_cursor"})
        for item in body["contents"]:
            assert_hsds(item, DELTA_LISTS[path])
        walked += body["contents"]
    assert len({item["id"] for item in walked}) == len(walked) == total
    tombstones = [item for item in walked if "removed" in item]
    reasons = {tombstone["removed"]["reason"] for tombstone in tombstones}
    assert reasons >= ({"withdrawn", "suspended"} if path == "/services" else {"suspended"})
    for tombstone in tombstones:
        service = tombstone if path == "/services" else tombstone.get("service")
        if service is not None:
            assert service["status"] in ("inactive", "defunct") and service["name"]
    lines = client.get(f"{base}{path}?modified_after={EPOCH}&format=ndjson")
    assert lines.status_code == 200
    streamed = [json.loads(line) for line in lines.get_data(as_text=True).splitlines()]
    for item in streamed:
        assert_hsds(item, DELTA_LISTS[path])
    assert sorted(item["id"] for item in streamed) == sorted(item["id"] for item in walked)


def test_full_service_alone_nests_full_services_in_every_organization(client: FlaskClient) -> None:
    body = client.get("/api/v1/organizations?full_service=true&per_page=100").get_json()
    assert_hsds_page(body, "organization.json")
    services = [service for organization in body["contents"] for service in organization["services"]]
    assert services and all("service_at_locations" in service for service in services)
    for service in services:
        assert_hsds(service, "service.json")
