"""Every public endpoint answers in valid HSDS 3.0 (test_hsds_client_walk.py walks every page and id)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.hsds_schemas import assert_hsds_page


def test_root_describes_the_api(client: FlaskClient) -> None:
    body = client.get("/api/v1/").get_json()
    assert body["version"] == "3.0"
    assert body["openapi_url"].endswith("/api/v1/openapi.json")
    assert client.get(body["openapi_url"]).status_code == 200


@pytest.mark.parametrize(
    ("path", "item_schema"),
    [
        ("/api/v1/services", "compiled/service_list.json"),
        ("/api/v1/services?minimal=true", "compiled/service_list.json"),
        ("/api/v1/services?full=true", "service.json"),
        ("/api/v1/service_at_locations", "compiled/service_at_location_list.json"),
        ("/api/v1/service_at_locations?full=true", "service_at_location.json"),
        ("/api/v1/organizations", "compiled/organization_list.json"),
        ("/api/v1/organizations?full=true", "organization.json"),
        ("/api/v1/organizations?full=true&full_service=true", "organization.json"),
        ("/api/v1/taxonomies", "taxonomy.json"),
        ("/api/v1/taxonomy_terms", "taxonomy_term.json"),
    ],
)
def test_every_list_is_a_valid_hsds_page(client: FlaskClient, path: str, item_schema: str) -> None:
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}per_page=100")
    assert response.status_code == 200
    body = response.get_json()
    assert body["total_items"] > 0
    assert_hsds_page(body, item_schema)


def test_full_service_nests_everything_hsds_defines(client: FlaskClient) -> None:
    services = client.get("/api/v1/services?full=true&per_page=100").get_json()["contents"]
    nested = {
        key for service in services for key, value in service.items() if isinstance(value, list) and value
    }
    assert {
        "phones",
        "schedules",
        "service_at_locations",
        "languages",
        "cost_options",
        "attributes",
    } <= nested
    assert "service_areas" in nested
