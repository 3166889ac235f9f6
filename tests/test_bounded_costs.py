"""No single request may cost the server without bound: each cap gives a clear 4xx, or a bounded answer."""

from __future__ import annotations

import csv
import io
import json
import re
import struct
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from services_api.cli import write_openapi
from services_api.core.limits import (
    MAX_CODES_PER_FILTER,
    MAX_CSV_FIELD_CHARS,
    MAX_ITEMS,
    MAX_JSON_DEPTH,
    MAX_SEARCH_WORD_LENGTH,
    MAX_SEARCH_WORDS,
    MAX_UNZIPPED_FILE_BYTES,
    MAX_UNZIPPED_REQUEST_BYTES,
    MAX_ZIP_MEMBERS,
    json_too_deep,
)
from services_api.core.seeding.synthetic import create_synthetic_listings
from services_api.db import get_session
from services_api.models import Service, TaxonomyTerm
from tests.admin_helpers import Admin, make_admin, new_service

SERVICE_COLUMNS = ["id", "organization_id", "name", "status", "description"]


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


def assert_error(response: Any, code: int, name: str) -> dict[str, Any]:
    """The project's one error shape, naming `name` among its errors."""
    body = response.get_json()
    assert response.status_code == code, body
    assert body["code"] == code and body["message"]
    assert any(name in key for key in body["errors"]), body
    return dict(body)


def nested(depth: int, leaf: Any = 1) -> Any:
    """A JSON value `depth` arrays deep."""
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def depth_of(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth_of(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth_of(item) for item in value), default=0)
    return 0


def post_import(admin: Admin, data: bytes, content_type: str, key: str | None = None) -> Any:
    return admin.client.post(
        "/api/v1/admin/import",
        data=data,
        headers={**admin.headers(key or admin.partner_key), "Content-Type": content_type},
    )


def services_csv(
    partner_id: uuid.UUID, rows: int = 1, description: str = "Drop-in."
) -> tuple[str, list[str]]:
    ids = [str(uuid.uuid4()) for _ in range(rows)]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(SERVICE_COLUMNS)
    for service_id in ids:
        writer.writerow([service_id, str(partner_id), "Night clinic", "active", description])
    return text.getvalue(), ids


def zipped(files: dict[str, str | bytes]) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in files.items():
            package.writestr(name, content)
    return archive.getvalue()


def service_count(app: Flask) -> int:
    with app.app_context():
        return int(get_session().scalar(select(func.count(Service.id))) or 0)


def term_codes(app: Flask) -> list[str]:
    with app.app_context():
        return sorted(get_session().scalars(select(TaxonomyTerm.code)))


# 1. Filter codes and keywords: repeats count once, and a request holds a bounded number of them.


def test_repeated_attribute_codes_count_once(client: FlaskClient) -> None:
    once = client.get("/api/v1/services?near=London&attribute=free&per_page=100")
    repeated = client.get("/api/v1/services?near=London&per_page=100&attribute=" + ",".join(["free"] * 780))
    assert once.status_code == repeated.status_code == 200
    assert [item["id"] for item in repeated.get_json()["contents"]] == [
        item["id"] for item in once.get_json()["contents"]
    ]
    split = client.get("/api/v1/services?near=London&per_page=100" + "&attribute=free" * 300)
    assert split.get_json()["total_items"] == once.get_json()["total_items"]


def test_more_different_codes_than_the_cap_are_refused(seeded_app: Flask, client: FlaskClient) -> None:
    codes = term_codes(seeded_app)
    assert len(codes) > MAX_CODES_PER_FILTER
    allowed = client.get(f"/api/v1/services?near=London&attribute={','.join(codes[:MAX_CODES_PER_FILTER])}")
    assert allowed.status_code == 200
    over = ",".join(codes[: MAX_CODES_PER_FILTER + 1])
    for path in ("/api/v1/services", "/api/v1/service_at_locations"):
        body = assert_error(client.get(f"{path}?near=London&attribute={over}"), 400, "attribute")
        assert str(MAX_CODES_PER_FILTER) in body["errors"]["attribute"][0]


def test_keyword_searches_hold_few_short_words(client: FlaskClient) -> None:
    once = client.get("/api/v1/services?search=clinic")
    repeated = client.get("/api/v1/services?search=" + "+".join(["Clinic"] * MAX_SEARCH_WORDS))
    assert once.status_code == repeated.status_code == 200
    assert repeated.get_json()["total_items"] == once.get_json()["total_items"] > 0
    words = [f"w{index}" for index in range(MAX_SEARCH_WORDS + 1)]
    assert client.get("/api/v1/services?search=" + "+".join(words[:-1])).status_code == 200
    for path in ("/api/v1/services", "/api/v1/service_at_locations", "/api/v1/organizations"):
        assert_error(client.get(f"{path}?search={'+'.join(words)}"), 400, "search")
    long_word = "a" * (MAX_SEARCH_WORD_LENGTH + 1)
    assert_error(client.get(f"/api/v1/taxonomy_terms?search={long_word}"), 400, "search")


def test_the_caps_are_documented_in_the_openapi_parameters(seeded_app: Flask, tmp_path: Path) -> None:
    with seeded_app.app_context():
        document = json.loads(write_openapi(tmp_path / "swagger.json"))
    parameters = {param["name"]: param for param in document["paths"]["/services"]["get"]["parameters"]}
    assert f"at most {MAX_CODES_PER_FILTER} different codes" in parameters["attribute"]["description"]
    assert f"at most {MAX_SEARCH_WORDS} words" in parameters["search"]["description"]
    pattern = re.compile(parameters["search"]["pattern"])
    for text in ("", " clinic  free ", " ".join(["a"] * MAX_SEARCH_WORDS), "x" * MAX_SEARCH_WORD_LENGTH):
        assert pattern.search(text), text
    for text in (" ".join(["a"] * (MAX_SEARCH_WORDS + 1)), "x" * (MAX_SEARCH_WORD_LENGTH + 1), "a\x00"):
        assert not pattern.search(text), text


# 2. JSON nested deeper than any document needs is refused before a parser recurses into it.


def test_over_deep_json_bodies_get_400_not_500(admin: Admin, client: FlaskClient) -> None:
    service_id = client.get("/api/v1/services?per_page=1").get_json()["contents"][0]["id"]
    deep = '{"kind": "other", "message": "x", "extra": ' + "[" * 5000 + "]" * 5000 + "}"
    report = client.post(f"/api/v1/services/{service_id}/reports", data=deep, content_type="application/json")
    assert_error(report, 400, "body")
    created = admin.as_partner("POST", "/services", json=new_service())
    for method, path in (
        ("POST", "/services"),
        ("PATCH", f"/services/{created.get_json()['id']}"),
        ("POST", "/partners"),
    ):
        response = admin.as_operator(
            method,
            path,
            data='{"name": "Deep", "phones": ' + "[" * 2000 + "]" * 2000 + "}",
            headers={"Content-Type": "application/json", "If-Match": created.headers["ETag"]},
        )
        assert_error(response, 400, "body")
    bomb = "[" * 100_000
    imported = post_import(admin, bomb.encode(), "application/json")
    assert imported.status_code == 422, imported.get_json()
    assert f"more than {MAX_JSON_DEPTH} levels" in imported.get_json()["message"]


def test_json_as_deep_as_the_cap_is_still_parsed(client: FlaskClient) -> None:
    service_id = client.get("/api/v1/services?per_page=1").get_json()["contents"][0]["id"]
    body = json.dumps({"kind": "other", "message": "Closed.", "extra": nested(MAX_JSON_DEPTH - 1)})
    assert not json_too_deep(body) and json_too_deep(json.dumps({"a": nested(MAX_JSON_DEPTH)}))
    response = client.post(
        f"/api/v1/services/{service_id}/reports", data=body, content_type="application/json"
    )
    assert_error(response, 422, "extra")  # parsed, then checked field by field
    assert "body" not in response.get_json()["errors"]


def test_every_document_the_api_writes_is_well_within_the_depth_cap(admin: Admin) -> None:
    client = admin.client
    deepest = 0
    for organization in client.get("/api/v1/organizations?per_page=100").get_json()["contents"]:
        full = client.get(f"/api/v1/organizations/{organization['id']}?full_service=true").get_json()
        deepest = max(deepest, depth_of(full))
    page = admin.as_operator("GET", "/services?per_page=100").get_json()
    deepest = max(deepest, depth_of(page))
    assert deepest <= MAX_JSON_DEPTH // 2


def test_a_service_area_extent_nested_too_deep_is_a_422(admin: Admin) -> None:
    extent = "[" * 100_000 + "]" * 100_000
    response = admin.as_partner(
        "POST", "/services", json=new_service(service_areas=[{"name": "Deep", "extent": extent}])
    )
    assert_error(response, 422, "extent")


# 3. A long CSV value is read (up to a bound far above csv's default), or named by file and row.


def test_csv_values_longer_than_csvs_default_limit_import(admin: Admin) -> None:
    text, ids = services_csv(admin.partner_id, description="Long. " * 40_000)  # 240,000 characters
    response = post_import(admin, zipped({"services.csv": text}), "application/zip")
    assert response.status_code == 200, response.get_json()
    stored = admin.as_partner("GET", f"/services/{ids[0]}").get_json()
    assert len(stored["description"]) == len("Long. " * 40_000)


def test_a_csv_value_over_the_cap_is_named_by_file_and_row(admin: Admin) -> None:
    text, _ids = services_csv(admin.partner_id, rows=2)
    oversized = text.splitlines()
    oversized.append(f"{uuid.uuid4()},{admin.partner_id},Big,active,{'x' * (MAX_CSV_FIELD_CHARS + 1)}")
    before = service_count(admin.client.application)
    response = post_import(admin, zipped({"services.csv": "\n".join(oversized)}), "application/zip")
    body = assert_error(response, 422, "services.csv:4")
    assert f"{MAX_CSV_FIELD_CHARS:,}" in body["errors"]["services.csv:4"]
    assert service_count(admin.client.application) == before


# 4. A zip is refused before it is read when it holds too many files or expands too far.


def bomb(size: int, name: str = "services.csv") -> bytes:
    """A small zip of one member of `size` bytes (a CSV header, then spaces)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as package, package.open(name, "w") as member:
        member.write(b"id,name\n")
        left = size - 8
        while left > 0:
            chunk = min(left, 1024 * 1024)
            member.write(b" " * chunk)
            left -= chunk
    return archive.getvalue()


def with_declared_sizes(data: bytes, size: int) -> bytes:
    """The same zip, its central directory declaring every member to expand to `size` bytes."""
    patched = bytearray(data)
    start = 0
    while (start := patched.find(b"PK\x01\x02", start)) != -1:
        struct.pack_into("<I", patched, start + 24, size)
        start += 4
    return bytes(patched)


def test_a_zip_expanding_beyond_the_cap_gets_413_before_it_is_read(admin: Admin) -> None:
    data = bomb(MAX_UNZIPPED_REQUEST_BYTES + 1)
    assert len(data) < 1024 * 1024
    body = assert_error(post_import(admin, data, "application/zip"), 413, "/")
    assert "expands to" in body["message"] and f"{MAX_UNZIPPED_REQUEST_BYTES:,}" in body["message"]


def test_a_zip_of_too_many_files_gets_413(admin: Admin) -> None:
    files: dict[str, str | bytes] = {f"extra_{index}.csv": "id\n" for index in range(MAX_ZIP_MEMBERS + 1)}
    body = assert_error(post_import(admin, zipped(files), "application/zip"), 413, "/")
    assert f"at most {MAX_ZIP_MEMBERS}" in body["message"]


def test_a_zip_that_lies_about_its_sizes_is_refused_not_expanded(admin: Admin) -> None:
    lying = with_declared_sizes(bomb(8 * 1024 * 1024), 100)
    before = service_count(admin.client.application)
    response = post_import(admin, lying, "application/zip")
    assert 400 <= response.status_code < 500, response.get_json()
    assert response.get_json()["code"] == response.status_code
    assert service_count(admin.client.application) == before


def test_the_command_line_import_has_a_bounded_cap_too(seeded_app: Flask, tmp_path: Path) -> None:
    half = MAX_UNZIPPED_FILE_BYTES // 2 + 1
    data = zipped({"services.csv": "id,name\n", "phones.csv": "id,number\n"})
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(with_declared_sizes(data, half))
    result = seeded_app.test_cli_runner().invoke(args=["import", str(archive)])
    assert result.exit_code == 2, result.output
    assert "expands to" in result.output and f"{MAX_UNZIPPED_FILE_BYTES:,}" in result.output


# 5. Nested lists have a length cap in admin documents and imports alike, documented as maxItems.


def phones(count: int) -> list[dict[str, str]]:
    return [{"number": f"+44 20 7946 {index:04d}"} for index in range(count)]


def test_an_admin_document_with_a_list_over_its_cap_is_a_422_naming_it(admin: Admin) -> None:
    cap = MAX_ITEMS["phones"]
    before = service_count(admin.client.application)
    response = admin.as_partner("POST", "/services", json=new_service(phones=phones(cap + 1)))
    body = assert_error(response, 422, "/phones")
    assert f"at most {cap}" in body["errors"]["/phones"]
    assert service_count(admin.client.application) == before
    created = admin.as_partner("POST", "/services", json=new_service(phones=phones(cap)))
    assert created.status_code == 201, created.get_json()
    service = created.get_json()
    contacts = [{"name": "Desk", "phones": phones(cap + 1)}]
    patched = admin.as_partner(
        "PATCH",
        f"/services/{service['id']}",
        json={"contacts": contacts},
        headers={"If-Match": created.headers["ETag"]},
    )
    assert_error(patched, 422, "/contacts/0/phones")
    schedules = [{"freq": "WEEKLY", "byday": "MO"}] * (MAX_ITEMS["schedules"] + 1)
    location = admin.as_partner(
        "POST",
        "/locations",
        json={"name": "Hall", "latitude": 51.5, "longitude": -0.1, "schedules": schedules},
    )
    assert_error(location, 422, "/schedules")


def test_an_import_with_a_list_over_its_cap_is_a_422_naming_the_record(admin: Admin) -> None:
    cap = MAX_ITEMS["phones"]
    service_id = str(uuid.uuid4())
    document = {
        "id": service_id,
        "organization_id": str(admin.partner_id),
        "name": "Helpline",
        "status": "active",
        "phones": [{"id": str(uuid.uuid4()), **phone} for phone in phones(cap + 1)],
    }
    before = service_count(admin.client.application)
    response = post_import(admin, json.dumps(document).encode(), "application/json")
    body = assert_error(response, 422, f"/phones/{cap}/service_id")
    assert f"more than {cap} phones" in json.dumps(body["errors"])
    text, ids = services_csv(admin.partner_id)
    phone_rows = "id,service_id,number\n" + "".join(
        f"{uuid.uuid4()},{ids[0]},+44 20 7946 {index:04d}\n" for index in range(cap + 1)
    )
    package = zipped({"services.csv": text, "phones.csv": phone_rows})
    response = post_import(admin, package, "application/zip", key=admin.operator_key)
    assert_error(response, 422, f"phones.csv:{cap + 2}/service_id")
    assert service_count(admin.client.application) == before


def test_list_caps_are_maxitems_in_the_openapi(seeded_app: Flask, tmp_path: Path) -> None:
    with seeded_app.app_context():
        document = json.loads(write_openapi(tmp_path / "swagger.json"))
    service = document["definitions"]["AdminService"]["properties"]
    for key in (
        "phones",
        "schedules",
        "languages",
        "contacts",
        "attributes",
        "service_areas",
        "cost_options",
    ):
        assert service[key]["maxItems"] == MAX_ITEMS[key], key
    location = document["definitions"]["AdminLocation"]["properties"]
    assert location["addresses"]["maxItems"] == MAX_ITEMS["addresses"]


# 6. The review queue is paged like every other admin list.


def test_the_review_queue_is_paged(admin: Admin) -> None:
    app = admin.client.application
    with app.app_context():
        session = get_session()
        create_synthetic_listings(session, count=60, seed=11)
        session.execute(update(Service).values(vetting_status="pending"))
        session.commit()
        pending = int(
            session.scalar(select(func.count(Service.id)).where(Service.withdrawn_at.is_(None))) or 0
        )
    first = admin.as_operator("GET", "/review_queue?per_page=25")
    assert first.status_code == 200, first.get_json()
    envelope = first.get_json()
    assert envelope["total_items"] == pending >= 60
    assert envelope["size"] == 25 and envelope["page_number"] == 1 and envelope["first_page"]
    assert envelope["total_pages"] == -(-pending // 25)
    seen = []
    for page in range(1, envelope["total_pages"] + 1):
        contents = admin.as_operator("GET", f"/review_queue?per_page=25&page={page}").get_json()["contents"]
        seen += [item["service"]["id"] for item in contents]
    assert len(seen) == len(set(seen)) == pending
    default = admin.as_operator("GET", "/review_queue").get_json()
    assert default["size"] == app.config["DEFAULT_PER_PAGE"]
    too_many = admin.as_operator("GET", f"/review_queue?per_page={app.config['MAX_PER_PAGE'] + 1}")
    assert_error(too_many, 400, "per_page")


def test_the_stale_report_is_paged_and_a_partner_sees_only_its_own(admin: Admin) -> None:
    app = admin.client.application
    long_ago = datetime.now(UTC) - timedelta(days=app.config["STALE_AFTER_DAYS"] + 30)
    with app.app_context():
        session = get_session()
        create_synthetic_listings(session, count=40, seed=12)
        session.execute(
            update(Service).values(vetting_status="vetted", vetted_at=long_ago, last_verified_at=long_ago)
        )
        session.commit()
        stale = int(session.scalar(select(func.count(Service.id)).where(Service.withdrawn_at.is_(None))) or 0)
        own = int(
            session.scalar(
                select(func.count(Service.id)).where(
                    Service.withdrawn_at.is_(None), Service.organization_id == admin.partner_id
                )
            )
            or 0
        )
    first = admin.as_operator("GET", "/stale?per_page=10")
    assert first.status_code == 200, first.get_json()
    envelope = first.get_json()
    assert envelope["total_items"] == stale >= 40 and envelope["size"] == 10
    assert envelope["stale_after_days"] == app.config["STALE_AFTER_DAYS"]
    seen = []
    for page in range(1, envelope["total_pages"] + 1):
        seen += [
            item["id"]
            for item in admin.as_operator("GET", f"/stale?per_page=10&page={page}").get_json()["contents"]
        ]
    assert len(seen) == len(set(seen)) == stale
    mine = admin.as_partner("GET", "/stale?per_page=100").get_json()
    assert mine["total_items"] == own > 0
    assert {item["organization_id"] for item in mine["contents"]} == {str(admin.partner_id)}
    assert_error(
        admin.as_operator("GET", f"/stale?per_page={app.config['MAX_PER_PAGE'] + 1}"), 400, "per_page"
    )
