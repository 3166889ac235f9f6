"""The audit log records every change; public reports reach the owner and operator, nothing of the sender."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import inspect, select

from services_api.db import get_session
from services_api.models import AuditEvent, Report
from tests.admin_helpers import Admin, make_admin, new_service, term_id
from tests.test_admin_listings import publish


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


def events(admin: Admin, query: str = "") -> list[dict[str, Any]]:
    response = admin.as_operator("GET", f"/audit?per_page=100{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["contents"]


def test_every_write_appends_an_event_with_who_what_and_field_changes(admin: Admin) -> None:
    created = admin.as_partner(
        "POST", "/services", json=new_service(), headers={"X-Request-Id": "req-create-1"}
    )
    service = created.get_json()
    admin.as_partner(
        "PATCH",
        f"/services/{service['id']}",
        json={"name": "Renamed clinic"},
        headers={"If-Match": created.headers["ETag"]},
    )
    logged = events(admin, f"&entity_id={service['id']}")
    assert [event["action"] for event in logged] == ["create", "update"]
    create, update = logged
    assert create["request_id"] == "req-create-1"
    assert create["actor_role"] == "partner" and create["entity_type"] == "service"
    assert create["changes"]["name"] == {"before": None, "after": "Evening drop-in clinic"}
    assert update["changes"]["name"] == {"before": "Evening drop-in clinic", "after": "Renamed clinic"}
    assert "description" not in update["changes"]
    partner_key_id = create["actor_key_id"]
    assert partner_key_id and all(event["actor_key_id"] == partner_key_id for event in logged)
    assert [event["entity_id"] for event in events(admin, f"&actor={partner_key_id}&action=update")] == [
        service["id"]
    ]


def test_a_failed_write_leaves_no_event_and_no_change(admin: Admin) -> None:
    created = admin.as_partner("POST", "/services", json=new_service())
    before = events(admin)
    refused = admin.as_partner(
        "PATCH",
        f"/services/{created.get_json()['id']}",
        json={"name": "Half written", "status": "not-a-status"},
        headers={"If-Match": created.headers["ETag"]},
    )
    assert refused.status_code == 422
    assert events(admin) == before
    assert (
        admin.as_partner("GET", f"/services/{created.get_json()['id']}").get_json()["name"]
        == "Evening drop-in clinic"
    )
    assert admin.as_partner("POST", "/services", json={"description": "no name"}).status_code == 422
    assert events(admin) == before


def test_the_audit_log_filters_combine_and_page(admin: Admin) -> None:
    for index in range(3):
        admin.as_partner("POST", "/services", json=new_service(f"Service {index}"))
    everything = events(admin)
    stamps = [event["occurred_at"] for event in everything]
    assert stamps == sorted(stamps)
    services_only = events(admin, "&entity_type=service&action=create")
    assert len(services_only) == 3
    since = services_only[1]["occurred_at"].replace("+00:00", "Z")
    later = events(admin, f"&entity_type=service&since={since}")
    assert [event["id"] for event in later] == [event["id"] for event in services_only[1:]]
    until = events(admin, f"&entity_type=service&until={since}")
    assert [event["id"] for event in until] == [services_only[0]["id"]]
    page = admin.as_operator("GET", "/audit?per_page=2&page=2&entity_type=service").get_json()
    assert page["total_items"] == 3 and page["size"] == 1 and page["last_page"] is True
    bad = admin.as_operator("GET", "/audit?since=yesterday")
    assert bad.status_code == 400 and "since" in bad.get_json()["errors"]
    nul = admin.as_operator("GET", "/audit?entity_id=a%00b")
    assert nul.status_code == 400 and "entity_id" in nul.get_json()["errors"]


def test_the_audit_log_cannot_be_changed_through_the_api(admin: Admin) -> None:
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert admin.as_operator(method, "/audit", json={}).status_code == 405


def test_public_reports_reach_the_owner_and_the_operator_and_keep_nothing_of_the_sender(admin: Admin) -> None:
    service = publish(admin)
    response = admin.client.post(
        f"/api/v1/services/{service['id']}/reports",
        json={"kind": "treated_badly", "message": "Staff asked for my ID and my work."},
        headers={"User-Agent": "SecretPhone/1.0"},
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
    )
    assert response.status_code == 201, response.get_json()
    report_id = response.get_json()["id"]
    with admin.client.application.app_context():
        stored = get_session().get_one(Report, uuid.UUID(report_id))
        columns = {column.key: getattr(stored, column.key) for column in inspect(Report).columns}
        logged = list(get_session().scalars(select(AuditEvent).where(AuditEvent.entity_id == report_id)))
    assert "203.0.113.77" not in repr(columns) and "SecretPhone" not in repr(columns)
    assert all("203.0.113.77" not in repr(event.changes) for event in logged)

    own = admin.as_partner("GET", "/reports").get_json()["contents"]
    assert [item["id"] for item in own] == [report_id]
    assert admin.as_other("GET", "/reports").get_json()["contents"] == []
    assert admin.as_other("GET", f"/reports/{report_id}").status_code == 404
    assert admin.as_partner("GET", f"/services/{service['id']}").get_json()["open_reports"] == 1

    report = admin.as_operator("GET", f"/reports/{report_id}")
    assert (
        admin.as_partner(
            "PATCH",
            f"/reports/{report_id}",
            json={"status": "resolved"},
            headers={"If-Match": report.headers["ETag"]},
        ).status_code
        == 403
    )
    resolved = admin.as_operator(
        "PATCH",
        f"/reports/{report_id}",
        json={"status": "resolved", "resolution_note": "Spoke to the clinic."},
        headers={"If-Match": report.headers["ETag"]},
    )
    assert resolved.status_code == 200
    assert resolved.get_json()["status"] == "resolved" and resolved.get_json()["resolved_at"]
    assert admin.as_operator("GET", "/reports?status=open").get_json()["total_items"] == 0
    assert admin.as_partner("GET", f"/services/{service['id']}").get_json()["open_reports"] == 0


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"kind": "rude"}, 422, "kind"),
        ({"message": "no kind"}, 422, "kind"),
        ({"kind": "other", "message": "x" * 2001}, 422, "message"),
        ({"kind": "other", "message": 5}, 422, "message"),
        ({"kind": "other", "message": "a NUL \u0000 byte"}, 422, "message"),
    ],
)
def test_a_bad_report_is_refused_naming_the_field(
    admin: Admin, body: dict[str, Any], status: int, field: str
) -> None:
    service = publish(admin)
    response = admin.client.post(f"/api/v1/services/{service['id']}/reports", json=body)
    assert response.status_code == status
    assert field in response.get_json()["errors"]


def test_reports_about_unknown_or_hidden_services_get_404(admin: Admin) -> None:
    pending = admin.as_partner("POST", "/services", json=new_service()).get_json()
    assert (
        admin.client.post(f"/api/v1/services/{pending['id']}/reports", json={"kind": "other"}).status_code
        == 404
    )
    assert admin.client.post("/api/v1/services/not-a-uuid/reports", json={"kind": "other"}).status_code == 400


def test_reports_are_rate_limited_per_client(seeded_app: Flask) -> None:
    seeded_app.config["REPORT_LIMIT"] = "2/hour"
    admin = make_admin(seeded_app)
    service = publish(admin)
    path = f"/api/v1/services/{service['id']}/reports"
    for _ in range(2):
        assert admin.client.post(path, json={"kind": "closed"}).status_code == 201
    limited = admin.client.post(path, json={"kind": "closed"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    elsewhere = admin.client.post(path, json={"kind": "closed"}, environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert elsewhere.status_code == 201


def test_reports_accept_posts_from_web_apps_on_other_origins(admin: Admin) -> None:
    service = publish(admin)
    preflight = admin.client.options(
        f"/api/v1/services/{service['id']}/reports",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_a_report_writes_nothing_identifying_to_the_logs(
    admin: Admin, caplog: pytest.LogCaptureFixture
) -> None:
    service = publish(admin)
    with caplog.at_level(logging.DEBUG):
        admin.client.post(
            f"/api/v1/services/{service['id']}/reports",
            json={"kind": "unsafe", "message": "x"},
            environ_base={"REMOTE_ADDR": "203.0.113.99"},
        )
    assert "203.0.113.99" not in caplog.text


def test_the_review_queue_and_stale_report(admin: Admin) -> None:
    pending = admin.as_partner("POST", "/services", json=new_service("Waiting")).get_json()
    queue = admin.as_operator("GET", "/review_queue").get_json()["contents"]
    assert ("new_listing", pending["id"]) in [(item["kind"], item["service"]["id"]) for item in queue]
    app = admin.client.application
    app.config["STALE_AFTER_DAYS"] = 1
    app.config["HIDE_AFTER_DAYS"] = 10_000
    most = app.config["MAX_PER_PAGE"]
    stale = admin.as_operator("GET", f"/stale?per_page={most}").get_json()
    demo_total = stale["total_items"]
    assert demo_total > 0
    assert all(service["last_verified_at"] for service in stale["contents"])
    own = admin.as_partner("GET", f"/stale?per_page={most}").get_json()
    assert own["total_items"] <= most
    assert {service["organization_id"] for service in own["contents"]} <= {str(admin.partner_id)}
    for service in own["contents"]:
        assert admin.as_partner("POST", f"/services/{service['id']}/confirm").status_code == 200
    assert admin.as_partner("GET", "/stale").get_json()["total_items"] == 0
    assert admin.as_operator("GET", "/stale").get_json()["total_items"] == demo_total - own["total_items"]


def test_the_audit_log_shows_every_change_of_a_listings_life(admin: Admin) -> None:
    app = admin.client.application
    start = len(events(admin))
    service = publish(admin)
    sid = service["id"]
    etag = admin.as_partner("GET", f"/services/{sid}").headers["ETag"]
    etag = admin.as_partner(
        "PATCH", f"/services/{sid}", json={"name": "Renamed"}, headers={"If-Match": etag}
    ).headers["ETag"]
    claims = {"attributes": [{"taxonomy_term_id": term_id(app, "free")}]}
    etag = admin.as_partner("PATCH", f"/services/{sid}", json=claims, headers={"If-Match": etag}).headers[
        "ETag"
    ]
    admin.as_operator("POST", f"/services/{sid}/reject", json={"note": "Not free."})
    admin.as_partner("POST", f"/services/{sid}/confirm")
    admin.as_operator("POST", f"/services/{sid}/suspend", json={"note": "Check."})
    etag = admin.as_partner("GET", f"/services/{sid}").headers["ETag"]
    admin.as_partner("DELETE", f"/services/{sid}", headers={"If-Match": etag})
    logged = [(event["action"], event["entity_type"]) for event in events(admin)[start:]]
    assert logged == [
        ("create", "location"),
        ("create", "service"),
        ("create", "service_at_location"),
        ("approve", "service"),
        ("update", "service"),
        ("propose_change", "service"),
        ("reject_change", "service"),
        ("confirm", "service"),
        ("suspend", "service"),
        ("withdraw", "service"),
    ]
    suspend = events(admin, f"&entity_id={sid}&action=suspend")[0]
    assert suspend["changes"]["vetting_status"] == {"before": "vetted", "after": "suspended"}
    assert suspend["note"] == "Check."
    assert suspend["actor_role"] == "operator"
