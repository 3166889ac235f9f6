"""A vetted listing comes back to the operator when its criteria's review interval has passed."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from flask import Flask

from services_api.core.listings.criteria import vetting_criteria
from services_api.db import get_session
from services_api.models import Service, utcnow
from tests.admin_helpers import Admin, make_admin, new_service
from tests.test_admin_listings import publish


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


def _mandatory() -> list[str]:
    return [item["code"] for item in vetting_criteria() if item["mandatory"]]


def _make_due(admin: Admin, *service_ids: str) -> None:
    with admin.client.application.app_context():
        session = get_session()
        for service_id in service_ids:
            session.get_one(Service, uuid.UUID(service_id)).next_review_due = date.today() - timedelta(days=1)
        session.commit()


def test_approval_sets_the_next_review_from_the_criteria(admin: Admin) -> None:
    service = publish(admin)
    shortest = min(int(item["review_interval_days"]) for item in vetting_criteria() if item["mandatory"])
    expected = (utcnow().date() + timedelta(days=shortest)).isoformat()
    assert service["next_review_due"] == expected
    assert admin.as_partner("GET", f"/services/{service['id']}").get_json()["next_review_due"] == expected


def test_a_listing_due_for_review_waits_in_the_queue_and_stays_public(admin: Admin) -> None:
    service = publish(admin)
    queue = admin.as_operator("GET", "/review_queue?per_page=100").get_json()
    assert service["id"] not in [item["service"]["id"] for item in queue["contents"]]
    early = admin.as_operator("POST", f"/services/{service['id']}/approve", json={"criteria": _mandatory()})
    assert early.status_code == 409
    _make_due(admin, service["id"])
    queue = admin.as_operator("GET", "/review_queue?per_page=100").get_json()
    due = [item["service"]["id"] for item in queue["contents"] if item["kind"] == "review_due"]
    assert due == [service["id"]]
    assert admin.client.get(f"/api/v1/services/{service['id']}").status_code == 200
    again = admin.as_operator("POST", f"/services/{service['id']}/approve", json={"criteria": _mandatory()})
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["next_review_due"] > date.today().isoformat()
    queue = admin.as_operator("GET", "/review_queue?per_page=100").get_json()
    assert service["id"] not in [item["service"]["id"] for item in queue["contents"]]


def test_the_queue_pages_across_its_parts(admin: Admin) -> None:
    services = [publish(admin) for _ in range(3)]
    assert admin.as_partner("POST", "/services", json=new_service("Waiting")).status_code == 201
    _make_due(admin, *(service["id"] for service in services))
    whole = admin.as_operator("GET", "/review_queue?per_page=100").get_json()
    assert {item["kind"] for item in whole["contents"]} >= {"new_listing", "review_due"}
    pages = [
        admin.as_operator("GET", f"/review_queue?per_page=2&page={number}").get_json()
        for number in range(1, whole["total_items"] // 2 + 2)
    ]
    paged = [(item["kind"], item["service"]["id"]) for page in pages for item in page["contents"]]
    assert paged == [(item["kind"], item["service"]["id"]) for item in whole["contents"]]
    assert all(page["total_items"] == whole["total_items"] for page in pages)
