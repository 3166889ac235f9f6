"""What a browser app on another origin needs: readable headers, preflights, paging links, compression."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

ORIGIN = {"Origin": "https://outreach-app.example.org"}
PAGED_LISTS = [
    "/api/v1/services",
    "/api/v1/service_at_locations",
    "/api/v1/organizations",
    "/api/v1/taxonomies",
    "/api/v1/taxonomy_terms",
    "/api/v1/services?modified_after=1970-01-01T00:00:00Z",
]


def links(header: str) -> dict[str, str]:
    """Parse an RFC 8288 Link header into {rel: target}."""
    return {rel: target for target, rel in re.findall(r'<([^>]*)>;\s*rel="([^"]+)"', header)}


@pytest.mark.parametrize("path", PAGED_LISTS)
def test_every_paged_list_links_its_first_prev_next_and_last_pages(client: FlaskClient, path: str) -> None:
    joiner = "&" if "?" in path else "?"
    first = client.get(f"{path}{joiner}per_page=1")
    total = first.get_json()["total_pages"]
    assert total >= 2
    assert set(links(first.headers["Link"])) == {"first", "next", "last"}
    second = client.get(links(first.headers["Link"])["next"])
    assert second.status_code == 200 and second.get_json()["page_number"] == 2
    assert second.get_json()["contents"] != first.get_json()["contents"]
    found = links(second.headers["Link"])
    assert set(found) == {"first", "prev", "last"} | ({"next"} if total > 2 else set())
    assert client.get(found["prev"]).get_json()["contents"] == first.get_json()["contents"]
    last = client.get(found["last"])
    assert last.get_json()["page_number"] == total and last.get_json()["last_page"]
    assert "next" not in links(last.headers["Link"])

def test_browser_javascript_may_read_the_headers_that_matter(client: FlaskClient) -> None:
    response = client.get("/api/v1/services?per_page=2", headers=ORIGIN)
    exposed = {name.strip().lower() for name in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "link", "x-next-modified-after", "retry-after", "content-language"} <= exposed


@pytest.mark.parametrize("path", ["/api/v1/services", "/api/v1/taxonomies/x"])
def test_a_cors_preflight_is_answered_for_the_public_api(client: FlaskClient, path: str) -> None:
    response = client.options(
        path,
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "if-none-match" in response.headers["Access-Control-Allow-Headers"].lower()
    assert int(response.headers["Access-Control-Max-Age"]) > 0
