"""An offline app downloads the directory, applies deltas, and ends up with exactly the public directory."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from services_api.core.directory import sync
from services_api.core.directory.visibility import PublicView
from services_api.db import get_session
from services_api.models import Service
from tests.admin_helpers import Admin, make_admin, new_service
from tests.hsds_schemas import assert_hsds
from tests.test_admin_listings import create_location, publish

EPOCH = "1970-01-01T00:00:00Z"


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


class OfflineCopy:
    """What a phone keeps: full public documents by id, and where to sync from next."""

    def __init__(self, client: FlaskClient, path: str):
        self.client, self.path = client, path
        self.records: dict[str, dict[str, Any]] = {}
        self.since = EPOCH

    def sync(self, per_page: int = 7, between_pages: Any = None) -> int:
        """Fetch every change since the last sync, page by page; return how many pages it took."""
        cursor, pages, next_since = None, 0, None
        while True:
            query = {
                "modified_after": self.since,
                "per_page": per_page,
                **({"cursor": cursor} if cursor else {}),
            }
            response = self.client.get(self.path, query_string=query)
            assert response.status_code == 200, response.get_json()
            next_since = next_since or response.headers["X-Next-Modified-After"]
            body = response.get_json()
            for item in body["contents"]:
                if "removed" in item:
                    self.records.pop(item["id"], None)
                else:
                    self.records[item["id"]] = item
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                break
            if between_pages:
                between_pages()
        self.since = next_since
        return pages


def public_directory(client: FlaskClient, path: str) -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    page = 1
    while True:
        body = client.get(path, query_string={"full": "true", "per_page": 100, "page": page}).get_json()
        records.update({item["id"]: item for item in body["contents"]})
        if body["last_page"]:
            return records
        page += 1


def edit(admin: Admin, service_id: str, key: str | None = None, **fields: Any) -> None:
    send = admin.as_operator if key == "operator" else admin.as_partner
    etag = send("GET", f"/services/{service_id}").headers["ETag"]
    response = send("PATCH", f"/services/{service_id}", json=fields, headers={"If-Match": etag})
    assert response.status_code in (200, 202), response.get_json()


def partner_services(admin: Admin) -> list[dict[str, Any]]:
    return admin.as_partner("GET", "/services?per_page=100").get_json()["contents"]


@pytest.mark.parametrize("path", ["/api/v1/services", "/api/v1/service_at_locations"])
def test_download_then_deltas_reproduce_the_public_directory(admin: Admin, path: str) -> None:
    copy = OfflineCopy(admin.client, path)
    copy.sync()
    assert copy.records == public_directory(admin.client, path)

    own = [service for service in partner_services(admin) if service["public"]]
    assert len(own) >= 2
    edit(
        admin,
        own[0]["id"],
        description="New hours from Monday.",
        schedules=[{"freq": "WEEKLY", "byday": "FR"}],
    )
    etag = admin.as_partner("GET", f"/services/{own[1]['id']}").headers["ETag"]
    assert (
        admin.as_partner("DELETE", f"/services/{own[1]['id']}", headers={"If-Match": etag}).status_code == 200
    )
    theirs = admin.as_operator("GET", f"/services?organization_id={admin.other_partner_id}").get_json()[
        "contents"
    ]
    public_theirs = [service for service in theirs if service["public"]]
    admin.as_operator("POST", f"/services/{public_theirs[0]['id']}/suspend", json={"note": "Checking."})
    added = publish(admin)
    location_id = added["service_at_locations"][0]["location_id"]
    etag = admin.as_partner("GET", f"/locations/{location_id}").headers["ETag"]
    moved = admin.as_partner(
        "PATCH", f"/locations/{location_id}", json={"name": "Moved upstairs"}, headers={"If-Match": etag}
    )
    assert moved.status_code == 200
    link = admin.as_partner(
        "POST", "/service_at_locations", json={"service_id": own[0]["id"], "location_id": location_id}
    )
    assert link.status_code == 201
    removed = admin.as_partner(
        "DELETE", f"/service_at_locations/{link.get_json()['id']}", headers={"If-Match": link.headers["ETag"]}
    )
    assert removed.status_code == 200

    copy.sync()
    expected = public_directory(admin.client, path)
    assert copy.records.keys() == expected.keys()
    assert copy.records == expected


def test_writes_during_a_paged_sync_are_never_missed(admin: Admin) -> None:
    path = "/api/v1/services"
    copy = OfflineCopy(admin.client, path)
    own = [service for service in partner_services(admin) if service["public"]]
    writes = iter(range(1000))

    def write_something() -> None:
        index = next(writes)
        edit(admin, own[index % len(own)]["id"], description=f"Edit number {index}.")

    pages = copy.sync(per_page=3, between_pages=write_something)
    assert pages > 3
    copy.sync(per_page=3)
    assert copy.records == public_directory(admin.client, path)


def test_writes_from_another_thread_during_a_sync_are_never_missed(seeded_app: Flask) -> None:
    admin = make_admin(seeded_app)
    own = [service for service in partner_services(admin) if service["public"]]
    stop = threading.Event()
    writer = dataclasses.replace(admin, client=seeded_app.test_client())

    def keep_writing() -> None:
        count = 0
        while not stop.is_set():
            edit(writer, own[count % len(own)]["id"], description=f"Background edit {count}.")
            count += 1

    thread = threading.Thread(target=keep_writing)
    thread.start()
    copy = OfflineCopy(admin.client, "/api/v1/service_at_locations")
    try:
        copy.sync(per_page=4)
        copy.sync(per_page=4)
    finally:
        stop.set()
        thread.join()
    copy.sync(per_page=4)
    assert copy.records == public_directory(admin.client, "/api/v1/service_at_locations")


def test_tombstones_are_valid_hsds_saying_only_name_why_and_when(admin: Admin) -> None:
    service = publish(admin)
    before = datetime.now(UTC)
    etag = admin.as_partner("GET", f"/services/{service['id']}").headers["ETag"]
    admin.as_partner("DELETE", f"/services/{service['id']}", headers={"If-Match": etag})
    pending = admin.as_partner("POST", "/services", json=new_service("Never public")).get_json()
    body = admin.client.get(
        "/api/v1/services", query_string={"modified_after": before.isoformat(), "per_page": 100}
    ).get_json()
    tombstones = [item for item in body["contents"] if item["id"] == service["id"]]
    assert len(tombstones) == 1
    assert set(tombstones[0]) == {"id", "name", "status", "last_modified", "removed"}
    assert tombstones[0]["name"] == service["name"] and tombstones[0]["status"] == "defunct"
    assert tombstones[0]["removed"]["reason"] == "withdrawn"
    assert datetime.fromisoformat(tombstones[0]["removed"]["at"]) >= before
    assert_hsds(tombstones[0], "service.json")
    assert pending["id"] not in [item["id"] for item in body["contents"]]


def test_a_listing_hidden_for_staleness_becomes_a_tombstone_at_the_midnight_it_leaves(
    seeded_app: Flask,
) -> None:
    with seeded_app.app_context():
        session = get_session()
        service = session.scalars(select_public(session)).first()
        assert service is not None
        confirmed = service.last_verified_at
        later = PublicView.at(confirmed + timedelta(days=400), stale_after_days=180, hide_after_days=365)
        changes = sync.service_changes(
            session,
            view=later,
            since=confirmed + timedelta(days=300),
            stale_after_days=180,
            hide_after_days=365,
        )
    mine = [change for change in changes if change.id == service.id]
    assert [(change.id, change.changed_at, change.removed) for change in mine] == [
        (service.id, sync.hidden_at(confirmed, 365), "hidden")
    ]
    assert mine[0].changed_at.hour == 0 and mine[0].changed_at > confirmed + timedelta(days=365)


def select_public(session: Any) -> Any:
    view = PublicView.at(stale_after_days=180, hide_after_days=365)
    return select(Service).where(view.service_filter()).order_by(Service.id)


def test_a_repeated_delta_with_nothing_changed_gets_304(admin: Admin) -> None:
    since = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    first = admin.client.get("/api/v1/services", query_string={"modified_after": since})
    assert first.status_code == 200 and first.headers["ETag"]
    again = admin.client.get(
        "/api/v1/services",
        query_string={"modified_after": since},
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304
    assert again.headers["X-Next-Modified-After"]
    publish(admin)
    changed = admin.client.get(
        "/api/v1/services",
        query_string={"modified_after": since},
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert changed.status_code == 200


def test_bad_delta_parameters_get_400_naming_them(client: FlaskClient) -> None:
    cursor = client.get("/api/v1/services", query_string={"modified_after": EPOCH, "cursor": "nonsense"})
    assert cursor.status_code == 400 and "cursor" in cursor.get_json()["errors"]
    placed = client.get("/api/v1/services", query_string={"modified_after": EPOCH, "lat": 51.5, "lng": -0.1})
    assert placed.status_code == 400 and "modified_after" in placed.get_json()["errors"]
    when = client.get("/api/v1/services", query_string={"modified_after": "last tuesday"})
    assert when.status_code == 400 and "modified_after" in when.get_json()["errors"]


def test_location_edits_reach_the_services_delivered_there(admin: Admin) -> None:
    service = publish(admin)
    since = datetime.now(UTC).isoformat()
    location_id = service["service_at_locations"][0]["location_id"]
    etag = admin.as_partner("GET", f"/locations/{location_id}").headers["ETag"]
    admin.as_partner(
        "PATCH", f"/locations/{location_id}", json={"transportation": "Bus 12"}, headers={"If-Match": etag}
    )
    body = admin.client.get("/api/v1/services", query_string={"modified_after": since}).get_json()
    assert [item["id"] for item in body["contents"]] == [service["id"]]
    shown = body["contents"][0]["service_at_locations"][0]["location"]
    assert shown["transportation"] == "Bus 12"


def test_a_delta_streams_as_ndjson_with_its_tombstones(admin: Admin) -> None:
    service = publish(admin)
    since = (datetime.now(UTC) - timedelta(seconds=30)).isoformat()
    etag = admin.as_partner("GET", f"/services/{service['id']}").headers["ETag"]
    admin.as_partner("DELETE", f"/services/{service['id']}", headers={"If-Match": etag})
    response = admin.client.get(
        "/api/v1/service_at_locations", query_string={"modified_after": since, "format": "ndjson"}
    )
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    assert response.headers["X-Next-Modified-After"]
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    link_id = service["service_at_locations"][0]["id"]
    assert lines[-1]["id"] == link_id and lines[-1]["removed"]["reason"] == "withdrawn"
    assert lines[-1]["service"]["status"] == "defunct"
    assert_hsds(lines[-1], "service_at_location.json")
    again = admin.client.get(
        "/api/v1/service_at_locations",
        query_string={"modified_after": since, "format": "ndjson"},
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304
    assert again.headers["X-Next-Modified-After"]


def test_renaming_a_partner_reaches_every_service_that_shows_its_name(admin: Admin) -> None:
    since = datetime.now(UTC).isoformat()
    etag = admin.as_operator("GET", f"/partners/{admin.partner_id}").headers["ETag"]
    renamed = admin.as_operator(
        "PATCH",
        f"/partners/{admin.partner_id}",
        json={"name": "New Name Collective"},
        headers={"If-Match": etag},
    )
    assert renamed.status_code == 200
    body = admin.client.get(
        "/api/v1/services", query_string={"modified_after": since, "per_page": 100}
    ).get_json()
    own_public = {item["id"] for item in partner_services(admin) if item["public"]}
    assert {item["id"] for item in body["contents"]} == own_public
    assert {item["organization"]["name"] for item in body["contents"]} == {"New Name Collective"}


def test_a_listing_rejected_after_being_public_leaves_as_a_rejected_tombstone(admin: Admin) -> None:
    service = publish(admin)
    since = datetime.now(UTC).isoformat()
    assert (
        admin.as_operator("POST", f"/services/{service['id']}/suspend", json={"note": "Reports."}).status_code
        == 200
    )
    rejected = admin.as_operator(
        "POST", f"/services/{service['id']}/reject", json={"note": "Confirmed unsafe."}
    )
    assert rejected.status_code == 200 and rejected.get_json()["vetting_status"] == "rejected"
    body = admin.client.get("/api/v1/services", query_string={"modified_after": since}).get_json()
    assert [(item["id"], item["status"], item["removed"]["reason"]) for item in body["contents"]] == [
        (service["id"], "inactive", "rejected")
    ]


def test_deltas_never_show_a_confidential_locations_true_place(admin: Admin) -> None:
    since = datetime.now(UTC).isoformat()
    refuge = create_location(admin, confidential=True, latitude=51.523456, longitude=-0.145678)
    service = admin.as_partner("POST", "/services", json=new_service("Safe house")).get_json()
    link = {"service_id": service["id"], "location_id": refuge["id"]}
    assert admin.as_partner("POST", "/service_at_locations", json=link).status_code == 201
    criteria = [
        item["code"]
        for item in admin.as_operator("GET", "/vetting_criteria").get_json()["contents"]
        if item.get("mandatory")
    ]
    assert (
        admin.as_operator(
            "POST", f"/services/{service['id']}/approve", json={"criteria": criteria}
        ).status_code
        == 200
    )
    for path in ("/api/v1/services", "/api/v1/service_at_locations"):
        for fmt in ("json", "ndjson"):
            response = admin.client.get(
                path, query_string={"modified_after": since, "format": fmt, "per_page": 100}
            )
            text = response.get_data(as_text=True)
            assert service["id"] in text or refuge["id"] in text
            assert "51.523456" not in text and "-0.145678" not in text and "12 Example Street" not in text
            assert "W1D 3QU" not in text


@pytest.mark.parametrize("path", ["/api/v1/services", "/api/v1/service_at_locations"])
def test_page_pages_a_delta_as_it_pages_every_list(admin: Admin, path: str) -> None:
    by_cursor = OfflineCopy(admin.client, path)
    by_cursor.sync(per_page=3)
    first = admin.client.get(path, query_string={"modified_after": EPOCH, "per_page": 3}).get_json()
    assert first["total_pages"] >= 3
    ids: list[str] = []
    for number in range(1, first["total_pages"] + 1):
        body = admin.client.get(
            path, query_string={"modified_after": EPOCH, "per_page": 3, "page": number}
        ).get_json()
        assert body["page_number"] == number and body["total_items"] == first["total_items"]
        assert body["first_page"] == (number == 1) and body["last_page"] == (number == first["total_pages"])
        ids += [item["id"] for item in body["contents"]]
    assert len(ids) == len(set(ids)) == first["total_items"]
    assert set(ids) >= set(by_cursor.records)
    beyond = admin.client.get(
        path, query_string={"modified_after": EPOCH, "per_page": 3, "page": first["total_pages"] + 1}
    ).get_json()
    assert beyond["contents"] == [] and beyond["last_page"]


def test_modified_after_means_on_or_after(admin: Admin) -> None:
    service = publish(admin)
    stamp = admin.client.get(f"/api/v1/services/{service['id']}").get_json()["last_modified"]
    body = admin.client.get(
        "/api/v1/services", query_string={"modified_after": stamp, "per_page": 100}
    ).get_json()
    assert service["id"] in [item["id"] for item in body["contents"]]
