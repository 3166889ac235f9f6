"""Only vetted listings go stale, counted from their last confirmation or vetting, whichever is later."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from services_api.db import get_session
from services_api.models import Service, utcnow
from tests.admin_helpers import Admin, make_admin, new_service
from tests.test_admin_listings import mandatory, publish


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


def _age(admin: Admin, service_id: str, *, confirmed_days_ago: int, vetted_days_ago: int) -> None:
    """Move a listing's last confirmation and vetting back in time, as if that many days had passed."""
    with admin.client.application.app_context():
        session = get_session()
        service = session.get_one(Service, uuid.UUID(service_id))
        service.last_verified_at = utcnow() - timedelta(days=confirmed_days_ago)
        service.vetted_at = utcnow() - timedelta(days=vetted_days_ago)
        session.commit()


def _admin_document(admin: Admin, service_id: str) -> dict[str, Any]:
    response = admin.as_partner("GET", f"/services/{service_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _stale_report_ids(admin: Admin) -> set[str]:
    ids: set[str] = set()
    page, per_page = 1, admin.client.application.config["MAX_PER_PAGE"]
    while True:
        report = admin.as_operator("GET", f"/stale?per_page={per_page}&page={page}").get_json()
        ids |= {service["id"] for service in report["contents"]}
        if report["last_page"]:
            return ids
        page += 1


def _past_the_limit(admin: Admin) -> int:
    return int(admin.client.application.config["STALE_AFTER_DAYS"]) + 1


def test_a_new_pending_service_is_not_stale(admin: Admin) -> None:
    created = admin.as_partner("POST", "/services", json=new_service())
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["vetting_status"] == "pending"
    assert created.get_json()["stale"] is False
    assert _admin_document(admin, created.get_json()["id"])["stale"] is False


def test_a_rejected_or_suspended_listing_is_not_stale(admin: Admin) -> None:
    old = _past_the_limit(admin)
    rejected = admin.as_partner("POST", "/services", json=new_service("Never vetted")).get_json()
    assert admin.as_operator("POST", f"/services/{rejected['id']}/reject", json={}).status_code == 200
    suspended = publish(admin)
    _age(admin, suspended["id"], confirmed_days_ago=old, vetted_days_ago=old)
    assert admin.as_operator("POST", f"/services/{suspended['id']}/suspend", json={}).status_code == 200
    for service in (rejected, suspended):
        assert _admin_document(admin, service["id"])["stale"] is False
    assert not {rejected["id"], suspended["id"]} & _stale_report_ids(admin)


def test_a_vetted_service_past_the_limit_is_stale_everywhere(admin: Admin) -> None:
    service = publish(admin)
    assert _admin_document(admin, service["id"])["stale"] is False
    old = _past_the_limit(admin)
    _age(admin, service["id"], confirmed_days_ago=old, vetted_days_ago=old)
    assert _admin_document(admin, service["id"])["stale"] is True
    assert admin.client.get(f"/api/v1/services/{service['id']}").get_json()["stale"] is True
    assert service["id"] in _stale_report_ids(admin)


def test_a_recent_vetting_counts_as_fresh_even_with_an_old_confirmation(admin: Admin) -> None:
    service = publish(admin)
    _age(admin, service["id"], confirmed_days_ago=_past_the_limit(admin), vetted_days_ago=1)
    assert _admin_document(admin, service["id"])["stale"] is False
    assert admin.client.get(f"/api/v1/services/{service['id']}").get_json()["stale"] is False
    assert service["id"] not in _stale_report_ids(admin)


def test_vetting_again_makes_a_stale_listing_fresh(admin: Admin) -> None:
    service = publish(admin)
    old = _past_the_limit(admin)
    _age(admin, service["id"], confirmed_days_ago=old, vetted_days_ago=old)
    assert _admin_document(admin, service["id"])["stale"] is True
    assert admin.as_operator("POST", f"/services/{service['id']}/suspend", json={}).status_code == 200
    approved = admin.as_operator(
        "POST", f"/services/{service['id']}/approve", json={"criteria": mandatory(admin)}
    )
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["stale"] is False
    assert admin.client.get(f"/api/v1/services/{service['id']}").get_json()["stale"] is False
    assert service["id"] not in _stale_report_ids(admin)
