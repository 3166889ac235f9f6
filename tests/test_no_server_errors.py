"""Whatever a client sends to the public API, the answer is never a 500."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.admin_helpers import Admin, make_admin, new_service
from tests.test_admin_import import organisation_file, post_import
from tests.test_admin_listings import publish

LISTS = ("services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms")
PARAMETERS = (
    "page",
    "per_page",
    "search",
    "taxonomy_term_id",
    "taxonomy_id",
    "organization_id",
    "modified_after",
    "full",
    "minimal",
    "full_service",
    "parent_id",
    "top_only",
    "format",
    "lat",
    "lng",
    "radius_km",
    "bbox",
    "near",
    "postcode",
    "proximity",
    "min_results",
    "category",
    "attribute",
    "language",
    "open_now",
    "open_at",
)


def fuzzing(examples: int) -> settings:
    """Hypothesis settings for requests against the app: no deadline, slow machines tolerated."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


values = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        ["", "true", "false", "null", "%", "_", "2026-02-30", "00000000-0000-0000-0000-000000000000"]
    ),
)


@fuzzing(examples=150)
@given(
    endpoint=st.sampled_from(LISTS),
    query=st.dictionaries(st.sampled_from(PARAMETERS), values, max_size=4),
    path_id=st.one_of(st.none(), values),
    accept=st.sampled_from(["application/json", "text/html", "*/*", "application/xml", ""]),
)
def test_no_request_produces_a_server_error(
    client: FlaskClient, endpoint: str, query: dict[str, str], path_id: str | None, accept: str
) -> None:
    path = f"/api/v1/{endpoint}" + (f"/{quote(path_id, safe='')}" if path_id else "")
    query_string = "&".join(f"{name}={quote(value, safe='')}" for name, value in query.items())
    response = client.get(f"{path}?{query_string}", headers={"Accept": accept})
    assert response.status_code < 500, (path, query_string, response.get_data(as_text=True)[:300])
    assert response.is_json or response.status_code in (301, 308)


@pytest.fixture
def admin_app_client(seeded_app: Flask) -> tuple[Admin, dict[str, Any]]:
    """A partner with one listing of its own to edit."""
    admin = make_admin(seeded_app)
    created = admin.as_partner("POST", "/services", json=new_service())
    assert created.status_code == 201
    return admin, created.get_json()


SERVICE_FIELDS = ("name", "description", "status", "url", "email", "minimum_age", "fees", "alert")
NESTED_FIELDS = {
    "phones": ("number", "extension", "type", "description"),
    "schedules": ("freq", "byday", "opens_at", "closes_at", "count", "interval", "valid_from", "timezone"),
    "languages": ("code", "name"),
    "cost_options": ("amount", "currency", "option"),
    "service_areas": ("name", "extent", "extent_type"),
}
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
        st.sampled_from(["\u0000", "a\u0000b", "\x1b[31m", "25:99", "2026-02-30", "", "WEEKLY"]),
    ),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=8), inner, max_size=2),
    max_leaves=4,
)
field_paths = st.sampled_from(
    [(name, None) for name in SERVICE_FIELDS]
    + [(name, key) for name, keys in NESTED_FIELDS.items() for key in keys]
)


@fuzzing(examples=150)
@given(path=field_paths, value=json_values)
def test_no_partner_edit_produces_a_server_error_or_a_partial_write(
    admin_app_client: tuple[Admin, dict[str, Any]], path: tuple[str, str | None], value: Any
) -> None:
    """One odd value in an otherwise valid edit: refused with 4xx and nothing stored, or accepted."""
    admin, service = admin_app_client
    valid = {"phones": {"number": "+44 20 7946 0000"}, "schedules": {"freq": "WEEKLY"}}
    patch_refused_whole_or_kept(admin, f"/services/{service['id']}", with_odd_value(path, value, valid))


def with_odd_value(path: tuple[str, str | None], value: Any, valid: dict[str, Any]) -> dict[str, Any]:
    """Return an edit setting `value` at `path` (a field, or a field of one nested record)."""
    field, nested_key = path
    return {field: [{**valid.get(field, {}), nested_key: value}]} if nested_key else {field: value}


def patch_refused_whole_or_kept(admin: Admin, url: str, body: dict[str, Any]) -> None:
    """PATCH `body` as the partner: never a 5xx, and a refused edit leaves the record and its ETag."""
    before = admin.as_partner("GET", url)
    response = admin.as_partner("PATCH", url, json=body, headers={"If-Match": before.headers["ETag"]})
    assert response.status_code < 500, (body, response.get_data(as_text=True)[:300])
    if response.status_code >= 400:
        after = admin.as_partner("GET", url)
        assert after.headers["ETag"] == before.headers["ETag"]
        assert after.get_json() == before.get_json()


LOCATION_FIELDS = (
    "name",
    "location_type",
    "latitude",
    "longitude",
    "time_zone",
    "confidential",
    "description",
)
ADDRESS_FIELDS = ("address_1", "city", "postal_code", "country", "address_type")
location_paths = st.sampled_from(
    [(name, None) for name in LOCATION_FIELDS] + [("addresses", key) for key in ADDRESS_FIELDS]
)
odd_values = json_values | st.sampled_from(["Mars/Olympus", "UTC+25", "virtual", 91, -181, 1e308])


@fuzzing(examples=100)
@given(path=location_paths, value=odd_values)
def test_no_location_edit_breaks_an_answer_now_or_a_later_search(
    admin_app_client: tuple[Admin, dict[str, Any]], path: tuple[str, str | None], value: Any
) -> None:
    """An odd value in a location is refused, or stored so that public searches still answer."""
    admin, _service = admin_app_client
    listing = publish(admin)
    url = f"/locations/{listing['service_at_locations'][0]['location']['id']}"
    address = {"address_1": "1 Way", "city": "London", "country": "GB", "address_type": "physical"}
    patch_refused_whole_or_kept(admin, url, with_odd_value(path, value, {"addresses": address}))
    for search in ("near=London&open_now=true", "lat=51.5&lng=-0.13&radius_km=50", "bbox=-1,51,1,52"):
        answer = admin.client.get(f"/api/v1/service_at_locations?{search}")
        assert answer.status_code == 200, (path, value, search, answer.get_data(as_text=True)[:300])


IMPORT_PATHS = (
    ("name",),
    ("description",),
    ("email",),
    ("year_incorporated",),
    ("locations", 0, "name"),
    ("locations", 0, "latitude"),
    ("locations", 0, "addresses", 0, "postal_code"),
    ("locations", 0, "addresses", 0, "country"),
    ("services", 0, "name"),
    ("services", 0, "status"),
    ("services", 0, "minimum_age"),
    ("services", 0, "service_at_locations", 0, "location_id"),
    ("services", 0, "service_at_locations"),
    ("services", 0, "phones"),
)


@fuzzing(examples=60)
@given(path=st.sampled_from(IMPORT_PATHS), value=odd_values)
def test_no_import_produces_a_server_error_or_a_partial_write(
    admin_app_client: tuple[Admin, dict[str, Any]], path: tuple[Any, ...], value: Any
) -> None:
    """A partner's HSDS file with one odd value: imported, or refused with nothing written."""
    admin, _service = admin_app_client
    document = organisation_file(admin.partner_id, with_point=True)
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    before = admin.as_partner("GET", "/services?per_page=100").get_json()
    response = post_import(admin, [document])
    assert response.status_code < 500, (path, value, response.get_data(as_text=True)[:300])
    if response.status_code >= 400:
        assert admin.as_partner("GET", "/services?per_page=100").get_json() == before
