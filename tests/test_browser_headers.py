"""What a browser app on another origin needs: readable headers, preflights, paging links, compression."""

from __future__ import annotations

import gzip
import json
import re
from typing import Any

import brotli  # type: ignore[import-untyped]
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.admin_helpers import make_admin

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


def decoded(response: Any) -> bytes:
    """Return the body of a response, decompressed by its Content-Encoding."""
    data = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(data)
    if encoding == "br":
        return bytes(brotli.decompress(data))
    return bytes(data)


@pytest.mark.parametrize("encoding", ["br", "gzip"])
@pytest.mark.parametrize(
    "path", ["/api/v1/services?per_page=50&full=true", "/api/v1/services?modified_after=1970-01-01"]
)
def test_json_pages_come_compressed_with_one_etag_for_every_encoding(
    client: FlaskClient, encoding: str, path: str
) -> None:
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": f"{encoding}, identity;q=0.5"})
    assert packed.headers["Content-Encoding"] == encoding
    assert "accept-encoding" in packed.headers["Vary"].lower()
    assert len(packed.get_data()) < len(plain.get_data()) / 2
    assert json.loads(decoded(packed)) == plain.get_json()
    assert packed.headers["ETag"] == plain.headers["ETag"] and packed.headers["ETag"].startswith("W/")
    for held in (plain, packed):
        again = client.get(
            path, headers={"Accept-Encoding": "gzip, br", "If-None-Match": held.headers["ETag"]}
        )
        assert again.status_code == 304 and again.get_data() == b""


@pytest.mark.parametrize("encoding", ["br", "gzip"])
@pytest.mark.parametrize(
    "path", ["/api/v1/services?format=ndjson&full=true", "/api/v1/taxonomy_terms?format=ndjson"]
)
def test_ndjson_streams_come_compressed(client: FlaskClient, encoding: str, path: str) -> None:
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": encoding})
    assert packed.is_streamed and packed.headers["Content-Encoding"] == encoding
    assert "accept-encoding" in packed.headers["Vary"].lower()
    assert decoded(packed) == plain.get_data()
    again = client.get(path, headers={"Accept-Encoding": encoding, "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304


def test_admin_answers_are_not_compressed_so_their_etags_stay_strong(seeded_app: Flask) -> None:
    admin = make_admin(seeded_app)
    response = admin.as_partner("GET", "/services?per_page=100", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
