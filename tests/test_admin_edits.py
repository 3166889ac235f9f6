"""Edits that must be refused, and edits that must leave the stored record exactly as intended."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.admin_helpers import Admin, make_admin, new_service, term_id
from tests.test_admin_listings import create_location, publish


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


def created_service(admin: Admin, **fields: Any) -> tuple[dict[str, Any], str]:
    response = admin.as_partner("POST", "/services", json=new_service(**fields))
    assert response.status_code == 201, response.get_json()
    return response.get_json(), response.headers["ETag"]


def test_a_write_without_if_match_gets_428_and_changes_nothing(admin: Admin) -> None:
    service, _etag = created_service(admin)
    for method in ("PATCH", "PUT", "DELETE"):
        response = admin.as_partner(method, f"/services/{service['id']}", json={"name": "Renamed"})
        assert response.status_code == 428, method
        assert "If-Match" in response.get_json()["errors"]
    assert admin.as_partner("GET", f"/services/{service['id']}").get_json()["name"] == service["name"]


def test_a_stale_if_match_gets_412_with_the_current_version(admin: Admin) -> None:
    service, first = created_service(admin)
    renamed = admin.as_partner(
        "PATCH", f"/services/{service['id']}", json={"name": "One"}, headers={"If-Match": first}
    )
    assert renamed.status_code == 200
    late = admin.as_partner(
        "PATCH", f"/services/{service['id']}", json={"name": "Two"}, headers={"If-Match": first}
    )
    assert late.status_code == 412
    assert late.headers["ETag"] == renamed.headers["ETag"]
    assert late.get_json()["errors"]["current_version"] == [renamed.headers["ETag"].strip('"v')]
    assert admin.as_partner("GET", f"/services/{service['id']}").get_json()["name"] == "One"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vetting_status", "vetted"),
        ("vetted_by", "me"),
        ("vetting_criteria", ["voluntary"]),
        ("last_verified_at", "2030-01-01"),
        ("withdrawn_at", None),
        ("id", "8d1e6a36-5d7b-4b11-a3b9-3b5d0f1c9a11"),
        ("organization_id", "8d1e6a36-5d7b-4b11-a3b9-3b5d0f1c9a11"),
        ("service_at_locations", [{"location_id": "8d1e6a36-5d7b-4b11-a3b9-3b5d0f1c9a11"}]),
    ],
)
def test_a_partner_cannot_set_fields_it_does_not_own(admin: Admin, field: str, value: Any) -> None:
    service, etag = created_service(admin)
    if field == "withdrawn_at":
        value = "2020-01-01T00:00:00Z"
    response = admin.as_partner(
        "PATCH", f"/services/{service['id']}", json={field: value}, headers={"If-Match": etag}
    )
    assert response.status_code == 422, response.get_json()
    assert f"/{field}" in response.get_json()["errors"]
    after = admin.as_partner("GET", f"/services/{service['id']}")
    assert after.headers["ETag"] == etag
    created = admin.as_partner("POST", "/services", json=new_service(**{field: value}))
    assert created.status_code == 422
    assert f"/{field}" in created.get_json()["errors"]


def test_sending_back_what_was_read_is_accepted(admin: Admin) -> None:
    service, etag = created_service(admin)
    document = admin.as_partner("GET", f"/services/{service['id']}").get_json()
    document["description"] = "Edited after reading."
    response = admin.as_partner(
        "PUT", f"/services/{service['id']}", json=document, headers={"If-Match": etag}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["description"] == "Edited after reading."
    assert response.get_json()["phones"] == document["phones"]


def test_put_clears_what_it_leaves_out_and_patch_keeps_it(admin: Admin) -> None:
    service, etag = created_service(admin, email="desk@example.org")
    patched = admin.as_partner(
        "PATCH", f"/services/{service['id']}", json={"name": "Kept"}, headers={"If-Match": etag}
    )
    assert patched.get_json()["email"] == "desk@example.org"
    assert len(patched.get_json()["phones"]) == 1
    replaced = admin.as_partner(
        "PUT",
        f"/services/{service['id']}",
        json={"name": "Bare", "status": "active"},
        headers={"If-Match": patched.headers["ETag"]},
    )
    assert replaced.status_code == 200, replaced.get_json()
    body = replaced.get_json()
    assert "email" not in body and body["phones"] == [] and body["schedules"] == []


def test_put_without_a_required_field_names_it_and_keeps_the_record(admin: Admin) -> None:
    service, etag = created_service(admin)
    response = admin.as_partner(
        "PUT", f"/services/{service['id']}", json={"status": "active"}, headers={"If-Match": etag}
    )
    assert response.status_code == 422
    assert "/name" in response.get_json()["errors"]
    assert admin.as_partner("GET", f"/services/{service['id']}").get_json()["name"] == service["name"]


def test_nested_records_of_another_listing_cannot_be_taken_over(admin: Admin) -> None:
    mine, _ = created_service(admin)
    theirs = admin.as_other("POST", "/services", json=new_service("Their service")).get_json()
    their_phone = theirs["phones"][0]
    etag = admin.as_partner("GET", f"/services/{mine['id']}").headers["ETag"]
    response = admin.as_partner(
        "PATCH",
        f"/services/{mine['id']}",
        json={"phones": [{**their_phone, "number": "+44 20 7946 0999"}]},
        headers={"If-Match": etag},
    )
    assert response.status_code == 422
    assert "/phones/0/id" in response.get_json()["errors"]
    assert admin.as_other("GET", f"/services/{theirs['id']}").get_json()["phones"] == [their_phone]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"status": "open"}, "/status"),
        ({"status": None}, "/status"),
        ({"name": "x" * 300}, "/name"),
        ({"minimum_age": "old"}, "/minimum_age"),
        ({"schedules": [{"opens_at": "25:99"}]}, "/schedules/0/opens_at"),
        (
            {"attributes": [{"taxonomy_term_id": "8d1e6a36-5d7b-4b11-a3b9-3b5d0f1c9a11"}]},
            "/attributes/0/taxonomy_term_id",
        ),
        ({"phones": "+44 20 7946 0000"}, "/phones"),
        ({"phones": [{"number": "1", "extension": 10**30}]}, "/phones/0/extension"),
        ({"schedules": [{"freq": "WEEKLY", "count": 2**31}]}, "/schedules/0/count"),
        ({"minimum_age": 10**400}, "/minimum_age"),
        ({"description": "nul \u0000 byte"}, "/description"),
        ({"phones": [{"number": "1\u0000"}]}, "/phones/0/number"),
        (
            {"service_areas": [{"extent": '{"type": "Circle"}', "extent_type": "geojson"}]},
            "/service_areas/0/extent",
        ),
    ],
)
def test_invalid_values_get_422_naming_the_field(admin: Admin, patch: dict[str, Any], field: str) -> None:
    service, etag = created_service(admin)
    response = admin.as_partner("PATCH", f"/services/{service['id']}", json=patch, headers={"If-Match": etag})
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"], response.get_json()
    assert admin.as_partner("GET", f"/services/{service['id']}").headers["ETag"] == etag


def test_bodies_that_are_not_json_objects_are_refused(admin: Admin) -> None:
    service, etag = created_service(admin)
    path = f"/services/{service['id']}"
    not_json = admin.as_partner(
        "PATCH", path, data="name=x", headers={"If-Match": etag, "Content-Type": "text/plain"}
    )
    assert not_json.status_code == 415
    broken = admin.as_partner(
        "PATCH", path, data="{", headers={"If-Match": etag, "Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    listed = admin.as_partner("PATCH", path, json=[1, 2], headers={"If-Match": etag})
    assert listed.status_code == 422


def test_a_body_above_the_limit_gets_413(seeded_app: Flask) -> None:
    seeded_app.config["MAX_CONTENT_LENGTH"] = 2000
    admin = make_admin(seeded_app)
    response = admin.as_partner("POST", "/services", json=new_service(description="x" * 5000))
    assert response.status_code == 413
    assert response.get_json()["code"] == 413
    assert admin.as_partner("GET", "/services").get_json()["total_items"] == len(
        admin.as_operator("GET", f"/services?organization_id={admin.partner_id}&per_page=100").get_json()[
            "contents"
        ]
    )


def test_withdrawing_hides_at_once_and_keeps_the_record(admin: Admin) -> None:
    service = publish(admin)
    assert admin.client.get(f"/api/v1/services/{service['id']}").status_code == 200
    etag = admin.as_partner("GET", f"/services/{service['id']}").headers["ETag"]
    withdrawn = admin.as_partner("DELETE", f"/services/{service['id']}", headers={"If-Match": etag})
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["withdrawn_at"]
    assert admin.client.get(f"/api/v1/services/{service['id']}").status_code == 404
    near = admin.client.get("/api/v1/services?lat=51.5136&lng=-0.1365&radius_km=1").get_json()
    assert service["id"] not in [item["id"] for item in near["contents"]]
    assert admin.as_partner("GET", f"/services/{service['id']}").status_code == 200
    again = admin.as_partner(
        "DELETE", f"/services/{service['id']}", headers={"If-Match": withdrawn.headers["ETag"]}
    )
    assert again.status_code == 409


def test_practical_details_of_a_vetted_listing_go_live_at_once(admin: Admin) -> None:
    service = publish(admin)
    etag = admin.as_partner("GET", f"/services/{service['id']}").headers["ETag"]
    response = admin.as_partner(
        "PATCH",
        f"/services/{service['id']}",
        json={
            "status": "temporarily closed",
            "phones": [{"number": "+44 20 7946 0123"}],
            "description": "Closed this week.",
        },
        headers={"If-Match": etag},
    )
    assert response.status_code == 200
    assert "pending_change" not in response.get_json()
    phone = admin.client.get(f"/api/v1/services/{service['id']}").get_json()["phones"][0]
    assert (phone["number"], phone["display_number"]) == ("+442079460123", "+44 20 7946 0123")


def test_a_rejected_change_leaves_the_approved_claims(admin: Admin) -> None:
    app = admin.client.application
    service = publish(admin, new_service(attributes=[{"taxonomy_term_id": term_id(app, "hiv")}]))
    etag = admin.as_partner("GET", f"/services/{service['id']}").headers["ETag"]
    held = admin.as_partner(
        "PATCH",
        f"/services/{service['id']}",
        json={"attributes": [{"taxonomy_term_id": term_id(app, "refuge")}]},
        headers={"If-Match": etag},
    )
    assert held.status_code == 202
    queue = admin.as_operator("GET", "/review_queue").get_json()["contents"]
    assert [item["kind"] for item in queue if item["service"]["id"] == service["id"]] == ["proposed_change"]
    rejected = admin.as_operator("POST", f"/services/{service['id']}/reject", json={"note": "Not a refuge."})
    assert rejected.status_code == 200
    assert rejected.get_json()["vetting_status"] == "vetted"
    public = admin.client.get(f"/api/v1/services/{service['id']}").get_json()
    assert [item["taxonomy_term"]["code"] for item in public["attributes"]] == ["hiv"]
    assert admin.as_operator("POST", f"/services/{service['id']}/reject", json={}).status_code == 409


def test_locations_confidential_rule_and_geocoding(admin: Admin) -> None:
    refuge = create_location(admin, confidential=True)
    etag = admin.as_partner("GET", f"/locations/{refuge['id']}").headers["ETag"]
    exposed = admin.as_partner(
        "PATCH", f"/locations/{refuge['id']}", json={"confidential": False}, headers={"If-Match": etag}
    )
    assert exposed.status_code == 422
    assert "/confidential" in exposed.get_json()["errors"]
    by_operator = admin.as_operator(
        "PATCH", f"/locations/{refuge['id']}", json={"confidential": False}, headers={"If-Match": etag}
    )
    assert by_operator.status_code == 200

    address = {
        "address_1": "1 Unknown Road",
        "city": "Manchester",
        "state_province": "England",
        "postal_code": "",
        "country": "GB",
        "address_type": "physical",
    }
    placed = admin.as_partner("POST", "/locations", json={"name": "No point given", "addresses": [address]})
    assert placed.status_code == 201, placed.get_json()
    assert placed.get_json()["latitude"] == pytest.approx(53.48, abs=0.05)
    nowhere = {**address, "city": "Nowhere-on-Sea", "country": "ZZ"}
    refused = admin.as_partner("POST", "/locations", json={"name": "Unplaceable", "addresses": [nowhere]})
    assert refused.status_code == 422
    assert "/latitude" in refused.get_json()["errors"]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"latitude": 91}, "/latitude"),
        ({"longitude": -180.5}, "/longitude"),
        ({"time_zone": "Mars/Olympus"}, "/time_zone"),
        ({"time_zone": "UTC+25"}, "/time_zone"),
    ],
)
def test_impossible_places_and_time_zones_are_refused(
    admin: Admin, patch: dict[str, Any], field: str
) -> None:
    location = create_location(admin)
    url = f"/locations/{location['id']}"
    etag = admin.as_partner("GET", url).headers["ETag"]
    response = admin.as_partner("PATCH", url, json=patch, headers={"If-Match": etag})
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert admin.as_partner("GET", url).headers["ETag"] == etag
    body = {"name": "Outreach base", "latitude": 51.5, "longitude": -0.12, **patch}
    created = admin.as_partner("POST", "/locations", json=body)
    assert created.status_code == 422 and field in created.get_json()["errors"]


def test_service_at_locations_join_only_ones_own_records(admin: Admin) -> None:
    mine = created_service(admin)[0]
    my_place = create_location(admin)
    their_place = admin.as_other(
        "POST", "/locations", json={"name": "Theirs", "latitude": 51.5, "longitude": -0.1}
    ).get_json()
    refused = admin.as_partner(
        "POST", "/service_at_locations", json={"service_id": mine["id"], "location_id": their_place["id"]}
    )
    assert refused.status_code == 422
    assert "/location_id" in refused.get_json()["errors"]
    link = admin.as_partner(
        "POST", "/service_at_locations", json={"service_id": mine["id"], "location_id": my_place["id"]}
    )
    assert link.status_code == 201
    in_use = admin.as_partner(
        "DELETE", f"/locations/{my_place['id']}", headers={"If-Match": f'"v{my_place["version"]}"'}
    )
    assert in_use.status_code == 409
    link_body = link.get_json()
    removed = admin.as_partner(
        "DELETE", f"/service_at_locations/{link_body['id']}", headers={"If-Match": link.headers["ETag"]}
    )
    assert removed.status_code == 200
    etag = admin.as_partner("GET", f"/locations/{my_place['id']}").headers["ETag"]
    assert (
        admin.as_partner("DELETE", f"/locations/{my_place['id']}", headers={"If-Match": etag}).status_code
        == 200
    )
    assert admin.as_partner("GET", f"/locations/{my_place['id']}").status_code == 404


def test_approval_must_attest_every_mandatory_criterion(admin: Admin) -> None:
    service, _ = created_service(admin)
    for body, message in [
        ({"criteria": ["voluntary"]}, "missing"),
        ({"criteria": ["voluntary", "made-up"]}, "unknown"),
        ({}, "Missing data"),
    ]:
        response = admin.as_operator("POST", f"/services/{service['id']}/approve", json=body)
        assert response.status_code == 422, body
        assert message in str(response.get_json()["errors"]["/criteria"])
    assert admin.as_operator("GET", f"/services/{service['id']}").get_json()["vetting_status"] == "pending"


def test_suspending_removes_a_listing_from_the_next_public_request(admin: Admin) -> None:
    service = publish(admin)
    assert admin.client.get(f"/api/v1/services/{service['id']}").status_code == 200
    suspended = admin.as_operator(
        "POST", f"/services/{service['id']}/suspend", json={"note": "Reports of police sharing."}
    )
    assert suspended.status_code == 200
    assert admin.client.get(f"/api/v1/services/{service['id']}").status_code == 404
    assert admin.as_operator("POST", f"/services/{service['id']}/suspend", json={}).status_code == 409
    criteria = admin.as_operator("GET", "/vetting_criteria").get_json()["contents"]
    again = admin.as_operator(
        "POST",
        f"/services/{service['id']}/approve",
        json={"criteria": [item["code"] for item in criteria if item.get("mandatory")]},
    )
    assert again.status_code == 200
    assert admin.client.get(f"/api/v1/services/{service['id']}").status_code == 200


def test_each_collection_lists_only_what_the_caller_may_edit(admin: Admin) -> None:
    mine = created_service(admin)[0]
    place = create_location(admin)
    link = admin.as_partner(
        "POST", "/service_at_locations", json={"service_id": mine["id"], "location_id": place["id"]}
    )
    for path, own_id in (
        ("/services", mine["id"]),
        ("/locations", place["id"]),
        ("/service_at_locations", link.get_json()["id"]),
    ):
        own = admin.as_partner("GET", f"{path}?per_page=100").get_json()
        others = admin.as_other("GET", f"{path}?per_page=100").get_json()
        everything = admin.as_operator("GET", f"{path}?per_page=100").get_json()
        assert own_id in [item["id"] for item in own["contents"]], path
        assert own_id not in [item["id"] for item in others["contents"]], path
        assert everything["total_items"] >= own["total_items"] + others["total_items"], path
    pending = admin.as_partner("GET", "/services?vetting_status=pending").get_json()["contents"]
    assert [item["id"] for item in pending] == [mine["id"]]
    filtered = admin.as_operator(
        "GET", f"/services?organization_id={admin.partner_id}&per_page=100"
    ).get_json()
    assert {item["organization_id"] for item in filtered["contents"]} == {str(admin.partner_id)}
    assert admin.as_partner("GET", "/services?vetting_status=maybe").status_code == 400


def test_the_operator_can_reassign_a_listing_to_another_partner(admin: Admin) -> None:
    service, etag = created_service(admin)
    moved = admin.as_operator(
        "PATCH",
        f"/services/{service['id']}",
        json={"organization_id": str(admin.other_partner_id)},
        headers={"If-Match": etag},
    )
    assert moved.status_code == 200, moved.get_json()
    assert admin.as_partner("GET", f"/services/{service['id']}").status_code == 404
    assert admin.as_other("GET", f"/services/{service['id']}").status_code == 200
    nowhere = admin.as_operator(
        "PATCH",
        f"/services/{service['id']}",
        json={"organization_id": "8d1e6a36-5d7b-4b11-a3b9-3b5d0f1c9a11"},
        headers={"If-Match": moved.headers["ETag"]},
    )
    assert nowhere.status_code == 422 and "/organization_id" in nowhere.get_json()["errors"]


def test_deleting_a_partner_deactivates_it_and_keeps_its_record(admin: Admin) -> None:
    current = admin.as_operator("GET", f"/partners/{admin.partner_id}")
    assert admin.as_operator("DELETE", f"/partners/{admin.partner_id}").status_code == 428
    removed = admin.as_operator(
        "DELETE", f"/partners/{admin.partner_id}", headers={"If-Match": current.headers["ETag"]}
    )
    assert removed.status_code == 200
    assert removed.get_json()["active"] is False and removed.get_json()["deactivated_at"]
    assert admin.as_partner("GET", "/services").status_code == 401
    listed = admin.as_operator("GET", "/partners").get_json()["contents"]
    assert str(admin.partner_id) in [item["id"] for item in listed]
    assert admin.as_operator("GET", "/partners/8d1e6a36-5d7b-4b11-a3b9-3b5d0f1c9a11").status_code == 404
    duplicate = admin.as_operator(
        "POST", "/partners", json={"name": "Again", "organization_id": str(admin.partner_id)}
    )
    assert duplicate.status_code == 409
    bad = admin.as_operator("POST", "/partners", json={"name": "", "email": "not-an-email"})
    assert bad.status_code == 422 and {"/name", "/email"} <= set(bad.get_json()["errors"])


def test_a_nested_record_linked_to_no_stored_record_is_refused_not_a_server_error(seeded_app: Flask) -> None:
    """Found by schemathesis: a contact naming a location that does not exist broke a foreign key."""
    admin = make_admin(seeded_app)
    missing_location = "7d171915-3472-17a2-ab00-935be562d8ff"
    body = new_service(contacts=[{"name": "Desk", "location_id": missing_location}])
    response = admin.as_partner("POST", "/services", json=body)
    assert response.status_code in (409, 422), response.get_data(as_text=True)
    assert set(response.get_json()) == {"code", "status", "message", "errors"}
    listed = admin.as_partner("GET", "/services").get_json()
    assert body["name"] not in {service["name"] for service in listed["contents"]}
