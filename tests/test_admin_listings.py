"""Partners edit their own listings: pending until vetted, practical edits live, safety claims held."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.admin_helpers import Admin, make_admin, new_location, new_service, term_id

CRITERIA = [
    "voluntary",
    "confidential",
    "non-judgemental",
    "accessible",
    "rights-respecting",
    "community-led",
]


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


def mandatory(admin: Admin) -> list[str]:
    items = admin.as_operator("GET", "/vetting_criteria").get_json()["contents"]
    return [item["code"] for item in items if item.get("mandatory")]


def create_location(admin: Admin, **fields: Any) -> dict[str, Any]:
    body = new_location(**fields)
    response = admin.as_partner("POST", "/locations", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def publish(admin: Admin, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """Create a service at a new location and have the operator vet it; return the vetted service."""
    location = create_location(admin)
    service = admin.as_partner("POST", "/services", json=body or new_service()).get_json()
    link = admin.as_partner(
        "POST", "/service_at_locations", json={"service_id": service["id"], "location_id": location["id"]}
    )
    assert link.status_code == 201, link.get_json()
    approved = admin.as_operator(
        "POST", f"/services/{service['id']}/approve", json={"note": "Visited.", "criteria": mandatory(admin)}
    )
    assert approved.status_code == 200, approved.get_json()
    return approved.get_json()


def test_partners_first_day(admin: Admin) -> None:
    location = create_location(admin)
    created = admin.as_partner("POST", "/services", json=new_service())
    assert created.status_code == 201, created.get_json()
    service = created.get_json()
    assert service["vetting_status"] == "pending"
    assert service["public"] is False
    assert str(admin.partner_id) == service["organization_id"]
    assert created.headers["Location"].endswith(f"/api/v1/admin/services/{service['id']}")
    assert admin.client.get(f"/api/v1/services/{service['id']}").status_code == 404

    link = admin.as_partner(
        "POST", "/service_at_locations", json={"service_id": service["id"], "location_id": location["id"]}
    )
    assert link.status_code == 201
    queue = admin.as_operator("GET", "/review_queue").get_json()
    assert service["id"] in [item["service"]["id"] for item in queue["contents"]]

    approved = admin.as_operator(
        "POST", f"/services/{service['id']}/approve", json={"note": "Visited.", "criteria": mandatory(admin)}
    )
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["vetting_status"] == "vetted"
    public = admin.client.get(f"/api/v1/services/{service['id']}")
    assert public.status_code == 200
    near = admin.client.get("/api/v1/service_at_locations?lat=51.5136&lng=-0.1365&radius_km=1").get_json()
    assert service["id"] in [item["service_id"] for item in near["contents"]]

    current = admin.as_partner("GET", f"/services/{service['id']}")
    hours = [{"freq": "WEEKLY", "byday": "TU", "opens_at": "10:00", "closes_at": "14:00"}]
    patched = admin.as_partner(
        "PATCH",
        f"/services/{service['id']}",
        json={"schedules": hours},
        headers={"If-Match": current.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.get_json()
    assert patched.headers["ETag"] != current.headers["ETag"]
    shown = admin.client.get(f"/api/v1/services/{service['id']}").get_json()
    assert [(item["byday"], item["opens_at"]) for item in shown["schedules"]] == [("TU", "10:00:00")]

    confirmed = admin.as_partner("POST", f"/services/{service['id']}/confirm")
    assert confirmed.status_code == 200
    assert confirmed.get_json()["stale"] is False


def test_safety_claims_wait_for_the_operator_while_the_public_sees_the_approved_version(admin: Admin) -> None:
    app = admin.client.application
    service = publish(admin, new_service(attributes=[{"taxonomy_term_id": term_id(app, "sexual-health")}]))
    etag = admin.as_partner("GET", f"/services/{service['id']}").headers["ETag"]
    claims = [
        {"taxonomy_term_id": term_id(app, "sexual-health")},
        {"taxonomy_term_id": term_id(app, "no-police-sharing")},
    ]
    response = admin.as_partner(
        "PATCH",
        f"/services/{service['id']}",
        json={"attributes": claims, "description": "Now also on Fridays."},
        headers={"If-Match": etag},
    )
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["pending_change"]["status"] == "pending"
    public = admin.client.get(f"/api/v1/services/{service['id']}").get_json()
    assert public["description"] == "Now also on Fridays."
    codes = {item["taxonomy_term"]["code"] for item in public["attributes"]}
    assert codes == {"sexual-health"}
    filtered = admin.client.get(
        "/api/v1/services?lat=51.5136&lng=-0.1365&attribute=no-police-sharing"
    ).get_json()
    assert service["id"] not in [item["id"] for item in filtered["contents"]]

    approved = admin.as_operator(
        "POST", f"/services/{service['id']}/approve", json={"criteria": mandatory(admin), "note": "Checked."}
    )
    assert approved.status_code == 200, approved.get_json()
    public = admin.client.get(f"/api/v1/services/{service['id']}").get_json()
    assert {item["taxonomy_term"]["code"] for item in public["attributes"]} == {
        "sexual-health",
        "no-police-sharing",
    }
