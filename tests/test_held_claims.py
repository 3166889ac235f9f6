"""Every safety claim a partner makes on a listing the public sees waits for the operator.

Wherever it is attached (the service or a location it is delivered at) and however it arrives
(PATCH, PUT, a new service-at-location, a partner's import), the public keeps the approved version,
the operator finds it in the review queue, and a claim that could never be approved is refused
when it is proposed.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from typing import Any

import pytest
from flask import Flask

from services_api.core.hsds.tables import table_files
from tests.admin_helpers import Admin, make_admin, new_location, new_service, term_id
from tests.test_admin_listings import create_location, mandatory, publish


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


def public_location_codes(admin: Admin, service_id: str) -> set[str]:
    """The claims the public sees on the (first) location of a service."""
    public = admin.client.get(f"/api/v1/services/{service_id}").get_json()
    location = public["service_at_locations"][0]["location"]
    return {item["taxonomy_term"]["code"] for item in location.get("attributes") or []}


def queued_location_changes(admin: Admin, location_id: str) -> list[dict[str, Any]]:
    queue = admin.as_operator("GET", "/review_queue?per_page=100").get_json()["contents"]
    return [
        item
        for item in queue
        if item["entity_type"] == "location" and item["location"] and item["location"]["id"] == location_id
    ]


def vetted_at_location(admin: Admin, *codes: str) -> tuple[dict[str, Any], str]:
    """A vetted service delivered at one location carrying these claims; return it and the location id."""
    app = admin.client.application
    location = create_location(admin, attributes=[{"taxonomy_term_id": term_id(app, code)} for code in codes])
    service = admin.as_partner("POST", "/services", json=new_service()).get_json()
    link = admin.as_partner(
        "POST", "/service_at_locations", json={"service_id": service["id"], "location_id": location["id"]}
    )
    assert link.status_code == 201, link.get_json()  # not public yet: nothing to hold
    approved = admin.as_operator(
        "POST", f"/services/{service['id']}/approve", json={"criteria": mandatory(admin)}
    )
    assert approved.status_code == 200, approved.get_json()
    return approved.get_json(), location["id"]


def etag(admin: Admin, path: str) -> str:
    return str(admin.as_partner("GET", path).headers["ETag"])


def test_a_location_claim_by_patch_waits_for_the_operator(admin: Admin) -> None:
    app = admin.client.application
    service, location_id = vetted_at_location(admin, "walk-in")
    claims = [
        {"taxonomy_term_id": term_id(app, "walk-in")},
        {"taxonomy_term_id": term_id(app, "women-only")},
        {"taxonomy_term_id": term_id(app, "no-police-sharing")},
    ]
    response = admin.as_partner(
        "PATCH",
        f"/locations/{location_id}",
        json={"attributes": claims, "name": "Harbour drop-in"},
        headers={"If-Match": etag(admin, f"/locations/{location_id}")},
    )
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["pending_change"]["entity_type"] == "location"
    assert body["name"] == "Harbour drop-in"  # practical details apply at once
    assert {item["taxonomy_term"]["code"] for item in body["attributes"]} == {"walk-in"}
    assert public_location_codes(admin, service["id"]) == {"walk-in"}
    public = admin.client.get(f"/api/v1/services/{service['id']}").get_json()
    assert public["service_at_locations"][0]["location"]["name"] == "Harbour drop-in"

    [queued] = queued_location_changes(admin, location_id)
    assert queued["kind"] == "proposed_change"
    assert queued["shown_by"] == [service["id"]]
    assert len(queued["proposed_change"]["changes"]["attributes"]) == 3

    approved = admin.as_operator("POST", f"/locations/{location_id}/approve", json={"note": "Visited."})
    assert approved.status_code == 200, approved.get_json()
    assert "pending_change" not in approved.get_json()
    assert public_location_codes(admin, service["id"]) == {"walk-in", "women-only", "no-police-sharing"}
    assert queued_location_changes(admin, location_id) == []
    assert admin.as_operator("POST", f"/locations/{location_id}/approve", json={}).status_code == 409


def test_a_location_claim_by_put_waits_and_a_rejection_keeps_the_approved_claims(admin: Admin) -> None:
    app = admin.client.application
    service, location_id = vetted_at_location(admin, "women-only")
    document = admin.as_partner("GET", f"/locations/{location_id}").get_json()
    document["attributes"] = [{"taxonomy_term_id": term_id(app, "trans-inclusive")}]
    response = admin.as_partner(
        "PUT",
        f"/locations/{location_id}",
        json=document,
        headers={"If-Match": etag(admin, f"/locations/{location_id}")},
    )
    assert response.status_code == 202, response.get_json()
    assert public_location_codes(admin, service["id"]) == {"women-only"}
    assert len(queued_location_changes(admin, location_id)) == 1

    partner_try = admin.as_partner("POST", f"/locations/{location_id}/reject", json={})
    assert partner_try.status_code == 403
    rejected = admin.as_operator("POST", f"/locations/{location_id}/reject", json={"note": "Not so."})
    assert rejected.status_code == 200, rejected.get_json()
    assert public_location_codes(admin, service["id"]) == {"women-only"}
    assert queued_location_changes(admin, location_id) == []


def test_a_location_linked_to_a_vetted_listing_brings_its_claims_to_review(admin: Admin) -> None:
    app = admin.client.application
    service = publish(admin)
    claimed = create_location(
        admin, name="Second site", attributes=[{"taxonomy_term_id": term_id(app, "women-only")}]
    )
    link = admin.as_partner(
        "POST", "/service_at_locations", json={"service_id": service["id"], "location_id": claimed["id"]}
    )
    assert link.status_code == 202, link.get_json()
    assert link.get_json()["location"]["pending_change"]["entity_type"] == "location"
    public = admin.client.get(f"/api/v1/services/{service['id']}").get_json()
    shown = {item["location"]["id"]: item["location"] for item in public["service_at_locations"]}
    assert not shown[claimed["id"]].get("attributes")
    [queued] = queued_location_changes(admin, claimed["id"])
    assert queued["shown_by"] == [service["id"]]

    assert admin.as_operator("POST", f"/locations/{claimed['id']}/approve", json={}).status_code == 200
    public = admin.client.get(f"/api/v1/services/{service['id']}").get_json()
    shown = {item["location"]["id"]: item["location"] for item in public["service_at_locations"]}
    assert [item["taxonomy_term"]["code"] for item in shown[claimed["id"]]["attributes"]] == ["women-only"]


def test_claims_of_a_listing_not_yet_public_apply_and_are_reviewed_with_it(admin: Admin) -> None:
    app = admin.client.application
    location = create_location(admin)
    response = admin.as_partner(
        "PATCH",
        f"/locations/{location['id']}",
        json={"attributes": [{"taxonomy_term_id": term_id(app, "women-only")}]},
        headers={"If-Match": etag(admin, f"/locations/{location['id']}")},
    )
    assert response.status_code == 200, response.get_json()
    assert [item["taxonomy_term"]["code"] for item in response.get_json()["attributes"]] == ["women-only"]


def test_the_operator_changes_claims_at_once(admin: Admin) -> None:
    app = admin.client.application
    service, location_id = vetted_at_location(admin, "walk-in")
    response = admin.as_operator(
        "PATCH",
        f"/locations/{location_id}",
        json={"attributes": [{"taxonomy_term_id": term_id(app, "women-only")}]},
        headers={"If-Match": etag(admin, f"/locations/{location_id}")},
    )
    assert response.status_code == 200, response.get_json()
    assert public_location_codes(admin, service["id"]) == {"women-only"}


@pytest.mark.parametrize(
    ("attribute", "message"),
    [
        ({}, "is required"),
        ({"taxonomy_term_id": None}, "is required"),
        ({"taxonomy_term_id": "8d1e6a36-5d7b-4b11-a3b9-3b5d0f1c9a11"}, "is not a known taxonomy term"),
        ({"taxonomy_term_id": "women-only"}, "UUID"),
    ],
)
@pytest.mark.parametrize("where", ["service", "location"])
def test_a_claim_that_could_never_be_approved_is_refused_when_proposed(
    admin: Admin, where: str, attribute: dict[str, Any], message: str
) -> None:
    service, location_id = vetted_at_location(admin, "walk-in")
    path = f"/services/{service['id']}" if where == "service" else f"/locations/{location_id}"
    response = admin.as_partner(
        "PATCH", path, json={"attributes": [attribute]}, headers={"If-Match": etag(admin, path)}
    )
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert list(errors) == ["/attributes/0/taxonomy_term_id"]
    assert message.lower() in str(errors["/attributes/0/taxonomy_term_id"]).lower()
    queue = admin.as_operator("GET", "/review_queue?per_page=100").get_json()["contents"]
    assert [item for item in queue if item["kind"] == "proposed_change"] == []


def test_a_location_id_that_is_not_yours_gets_404_on_approve(admin: Admin) -> None:
    missing = admin.as_operator("POST", f"/locations/{uuid.uuid4()}/approve", json={})
    assert missing.status_code == 404


def zipped_tables(tables: dict[str, list[dict[str, Any]]]) -> bytes:
    """A CSV data package holding these tables."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        for table, rows in tables.items():
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=sorted({name for row in rows for name in row}))
            writer.writeheader()
            writer.writerows(rows)
            package.writestr(table_files()[table], text.getvalue())
    return archive.getvalue()


def partner_import(admin: Admin, tables: dict[str, list[dict[str, Any]]], query: str = "") -> Any:
    return admin.client.post(
        f"/api/v1/admin/import{query}",
        data=zipped_tables(tables),
        headers={**admin.headers(admin.partner_key), "Content-Type": "application/zip"},
    )


def claim_row(app: Flask, holder: str, holder_id: str, code: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "link_id": holder_id,
        "link_entity": holder,
        "taxonomy_term_id": term_id(app, code),
    }


def test_an_import_holds_a_location_claim_for_the_operator(admin: Admin) -> None:
    app = admin.client.application
    service, location_id = vetted_at_location(admin, "walk-in")
    tables = {"attribute": [claim_row(app, "location", location_id, "women-only")]}
    dry = partner_import(admin, tables, "?dry_run=true")
    assert dry.status_code == 202, dry.get_json()
    assert queued_location_changes(admin, location_id) == []

    response = partner_import(admin, tables)
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["held_for_review"] == [{"entity_type": "location", "id": location_id}]
    assert public_location_codes(admin, service["id"]) == {"walk-in"}
    [queued] = queued_location_changes(admin, location_id)
    codes = {item["taxonomy_term_id"] for item in queued["proposed_change"]["changes"]["attributes"]}
    assert codes == {term_id(app, "walk-in"), term_id(app, "women-only")}  # a file adds, never removes

    assert admin.as_operator("POST", f"/locations/{location_id}/approve", json={}).status_code == 200
    assert public_location_codes(admin, service["id"]) == {"walk-in", "women-only"}


def test_an_import_holds_a_service_claim_for_the_operator(admin: Admin) -> None:
    app = admin.client.application
    service = publish(admin, new_service(attributes=[{"taxonomy_term_id": term_id(app, "sexual-health")}]))
    response = partner_import(
        admin, {"attribute": [claim_row(app, "service", service["id"], "no-police-sharing")]}
    )
    assert response.status_code == 202, response.get_json()
    public = admin.client.get(f"/api/v1/services/{service['id']}").get_json()
    assert {item["taxonomy_term"]["code"] for item in public["attributes"]} == {"sexual-health"}
    pending = admin.as_partner("GET", f"/services/{service['id']}").get_json()["pending_change"]
    assert len(pending["changes"]["attributes"]) == 2
    approved = admin.as_operator(
        "POST", f"/services/{service['id']}/approve", json={"criteria": mandatory(admin)}
    )
    assert approved.status_code == 200, approved.get_json()
    public = admin.client.get(f"/api/v1/services/{service['id']}").get_json()
    assert {item["taxonomy_term"]["code"] for item in public["attributes"]} == {
        "sexual-health",
        "no-police-sharing",
    }


def test_an_imported_new_place_of_a_vetted_listing_brings_its_claims_to_review(admin: Admin) -> None:
    app = admin.client.application
    service = publish(admin)
    location_id = str(uuid.uuid4())
    location = {key: value for key, value in new_location(name="Imported site").items() if key != "addresses"}
    tables = {
        "location": [{**location, "id": location_id}],
        "service_at_location": [
            {"id": str(uuid.uuid4()), "service_id": service["id"], "location_id": location_id}
        ],
        "attribute": [claim_row(app, "location", location_id, "women-only")],
    }
    response = partner_import(admin, tables)
    assert response.status_code == 202, response.get_json()
    public = admin.client.get(f"/api/v1/services/{service['id']}").get_json()
    shown = {item["location"]["id"]: item["location"] for item in public["service_at_locations"]}
    assert shown[location_id]["name"] == "Imported site"
    assert not shown[location_id].get("attributes")
    assert len(queued_location_changes(admin, location_id)) == 1
    assert admin.as_operator("POST", f"/locations/{location_id}/approve", json={}).status_code == 200
    public = admin.client.get(f"/api/v1/services/{service['id']}").get_json()
    shown = {item["location"]["id"]: item["location"] for item in public["service_at_locations"]}
    assert [item["taxonomy_term"]["code"] for item in shown[location_id]["attributes"]] == ["women-only"]


def test_an_imported_claim_that_could_never_be_approved_is_refused(admin: Admin) -> None:
    app = admin.client.application
    _service, location_id = vetted_at_location(admin, "walk-in")
    row = {**claim_row(app, "location", location_id, "women-only"), "taxonomy_term_id": str(uuid.uuid4())}
    response = partner_import(admin, {"attribute": [row]})
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]) == [f"{table_files()['attribute']}:2/taxonomy_term_id"]
    assert queued_location_changes(admin, location_id) == []


def test_claims_on_a_service_at_location_are_refused_not_dropped(admin: Admin) -> None:
    app = admin.client.application
    service = publish(admin)
    link = service["service_at_locations"][0]
    path = f"/service_at_locations/{link['id']}"
    claims = [{"taxonomy_term_id": term_id(app, "women-only")}]
    response = admin.as_partner(
        "PATCH", path, json={"attributes": claims}, headers={"If-Match": etag(admin, path)}
    )
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]) == ["/attributes"]
    unchanged = admin.as_partner(
        "PATCH",
        path,
        json={"attributes": [], "description": "Tuesdays."},
        headers={"If-Match": etag(admin, path)},
    )
    assert unchanged.status_code == 200, unchanged.get_json()


def test_deleting_a_location_closes_the_change_held_on_it(admin: Admin) -> None:
    app = admin.client.application
    service, location_id = vetted_at_location(admin, "walk-in")
    path = f"/locations/{location_id}"
    claims = [{"taxonomy_term_id": term_id(app, "women-only")}]
    held = admin.as_partner(
        "PATCH", path, json={"attributes": claims}, headers={"If-Match": etag(admin, path)}
    )
    assert held.status_code == 202, held.get_json()
    link = service["service_at_locations"][0]["id"]
    link_path = f"/service_at_locations/{link}"
    unlinked = admin.as_partner("DELETE", link_path, headers={"If-Match": etag(admin, link_path)})
    assert unlinked.status_code == 200, unlinked.get_json()
    deleted = admin.as_partner("DELETE", path, headers={"If-Match": etag(admin, path)})
    assert deleted.status_code == 200, deleted.get_json()
    queue = admin.as_operator("GET", "/review_queue?per_page=100")
    assert queue.status_code == 200, queue.get_json()
    assert [item for item in queue.get_json()["contents"] if item["kind"] == "proposed_change"] == []


def test_importing_a_link_the_listing_already_has_holds_nothing(admin: Admin) -> None:
    service, location_id = vetted_at_location(admin, "walk-in")
    link = service["service_at_locations"][0]
    row = {"id": link["id"], "service_id": service["id"], "location_id": location_id, "description": "Again"}
    response = partner_import(admin, {"service_at_location": [row]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["held_for_review"] == []
    assert public_location_codes(admin, service["id"]) == {"walk-in"}
