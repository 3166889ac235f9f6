"""Idempotency-Key: a key replays only the very request it was first used for."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.admin_helpers import Admin, make_admin
from tests.test_admin_import import organisation_file, services_count


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


def keyed_import(admin: Admin, body: Any, key: str, query: str = "") -> Any:
    return admin.client.post(
        f"/api/v1/admin/import{query}",
        json=body,
        headers=admin.headers(admin.partner_key, **{"Idempotency-Key": key}),
    )


def test_a_key_used_for_a_dry_run_is_not_replayed_for_the_real_import(
    admin: Admin,
) -> None:
    app = admin.client.application
    before = services_count(app)
    document = organisation_file(admin.partner_id, with_point=True)
    dry = keyed_import(admin, document, "import-1", "?dry_run=true")
    assert dry.status_code == 200 and dry.get_json()["dry_run"] is True
    real = keyed_import(admin, document, "import-1")
    assert real.status_code == 422, real.get_json()
    assert "Idempotency-Key" in real.get_json()["errors"]
    assert "dry_run" in real.get_json()["message"]
    assert services_count(app) == before
    imported = keyed_import(admin, document, "import-2")
    assert imported.status_code == 200 and imported.get_json()["dry_run"] is False
    assert services_count(app) == before + 1


def test_the_same_request_with_the_same_key_replays_whatever_the_order_of_its_parameters(
    admin: Admin,
) -> None:
    document = organisation_file(admin.partner_id, with_point=True)
    first = keyed_import(admin, document, "dry-twice", "?dry_run=true&vetted=false")
    again = keyed_import(admin, document, "dry-twice", "?vetted=false&dry_run=true")
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    other_value = keyed_import(admin, document, "dry-twice", "?dry_run=false&vetted=false")
    assert other_value.status_code == 422
