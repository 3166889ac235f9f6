"""Keys and roles: who may call the admin API, and what each refusal looks like."""

from __future__ import annotations

import secrets
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from services_api import create_app
from services_api.api import rate_limits
from services_api.db import get_session
from services_api.models import ApiKey, Service
from tests.admin_helpers import Admin, make_admin, new_service

# Parameters are the same in every pytest-xdist worker: a fixed id that no record has.
NO_SUCH_ID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


def other_organisations_service(admin: Admin) -> str:
    with admin.client.application.app_context():
        query = select(Service.id).where(Service.organization_id == admin.other_partner_id)
        return str(get_session().scalars(query).first())


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Basic dXNlcjpwYXNz", "Bearer sa_000000000000_wrong", "Bearer not-a-key-at-all"],
)
def test_a_missing_or_unknown_key_gets_401_with_a_challenge(admin: Admin, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = admin.client.get("/api/v1/admin/services", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["code"] == 401


def test_a_key_with_a_changed_secret_is_refused(admin: Admin) -> None:
    tampered = admin.partner_key[:-4] + ("AAAA" if not admin.partner_key.endswith("AAAA") else "BBBB")
    response = admin.client.get("/api/v1/admin/services", headers=admin.headers(tampered))
    assert response.status_code == 401


def test_keys_are_stored_only_as_a_hash(admin: Admin) -> None:
    with admin.client.application.app_context():
        stored = list(get_session().scalars(select(ApiKey)))
    secrets = {admin.operator_key, admin.partner_key, admin.other_partner_key}
    assert len(stored) == 3
    for key in stored:
        assert len(key.secret_hash) == 64
        assert all(
            key.secret_hash not in secret and secret.split("_", 2)[2] not in key.secret_hash
            for secret in secrets
        )
        assert key.prefix in {secret.split("_")[1] for secret in secrets}


def test_the_last_use_of_a_key_is_recorded(admin: Admin) -> None:
    admin.as_partner("GET", "/services")
    with admin.client.application.app_context():
        used = {key.prefix: key.last_used_at for key in get_session().scalars(select(ApiKey))}
    assert used[admin.partner_key.split("_")[1]] is not None
    assert used[admin.operator_key.split("_")[1]] is None


def test_a_revoked_key_stops_working_at_once(admin: Admin) -> None:
    prefix = admin.partner_key.split("_")[1]
    assert admin.as_partner("GET", "/services").status_code == 200
    revoked = admin.as_operator("DELETE", f"/keys/{prefix}")
    assert revoked.status_code == 200
    assert revoked.get_json()["revoked_at"]
    assert admin.as_partner("GET", "/services").status_code == 401
    assert admin.as_operator("DELETE", f"/keys/{prefix}").status_code == 409


def test_a_partner_key_on_an_operator_endpoint_gets_403(admin: Admin) -> None:
    for method, path in [
        ("GET", "/partners"),
        ("POST", "/keys"),
        ("GET", "/review_queue"),
        ("GET", "/audit"),
        ("POST", f"/services/{other_organisations_service(admin)}/approve"),
    ]:
        response = admin.as_partner(method, path, json={"role": "operator", "criteria": []})
        assert response.status_code in (403, 404), (method, path)
        if method == "GET" or path == "/keys":
            assert response.status_code == 403, (method, path)


def test_another_organisations_records_are_not_revealed(admin: Admin) -> None:
    theirs = other_organisations_service(admin)
    assert admin.as_operator("GET", f"/services/{theirs}").status_code == 200
    for method in ("GET", "PATCH", "PUT", "DELETE"):
        response = admin.as_partner(
            method, f"/services/{theirs}", json={"name": "Mine now"}, headers={"If-Match": '"v1"'}
        )
        assert response.status_code == 404, method
        assert response.get_json()["message"] == "You have no service with this id."
    missing = admin.as_partner("GET", f"/services/{uuid.uuid4()}")
    assert missing.get_json() == admin.as_partner("GET", f"/services/{theirs}").get_json()
    listed = admin.as_partner("GET", "/services?per_page=100").get_json()
    assert theirs not in [item["id"] for item in listed["contents"]]
    confirm = admin.as_partner("POST", f"/services/{theirs}/confirm")
    assert confirm.status_code == 404


def test_repeated_failures_from_one_client_are_rate_limited(seeded_app: Flask) -> None:
    seeded_app.config["AUTH_FAILURE_LIMIT"] = "3/minute"
    admin = make_admin(seeded_app)
    for _ in range(3):
        assert admin.client.get("/api/v1/admin/services", headers=admin.headers("sa_x_y")).status_code == 401
    refused = admin.client.get("/api/v1/admin/services", headers=admin.headers("sa_x_y"))
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.get_json()["code"] == 429
    for wrong in ("sa_other_guess", "not-even-a-key", ""):
        assert admin.client.get("/api/v1/admin/services", headers=admin.headers(wrong)).status_code == 429
    assert admin.client.get("/api/v1/admin/services").status_code == 429
    other_client = admin.client.application.test_client()
    response = other_client.get(
        "/api/v1/admin/services",
        headers=admin.headers("sa_x_y"),
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert response.status_code == 401


def test_someone_elses_failures_from_the_same_address_do_not_lock_out_a_valid_key(seeded_app: Flask) -> None:
    seeded_app.config["AUTH_FAILURE_LIMIT"] = "3/minute"
    admin = make_admin(seeded_app)
    revoked_script = "sa_0123456789ab_" + "x" * 43
    for expected in (401, 401, 401, 429, 429):
        response = admin.client.get("/api/v1/admin/services", headers=admin.headers(revoked_script))
        assert response.status_code == expected
    assert admin.as_partner("GET", "/services").status_code == 200
    assert admin.as_operator("POST", "/partners", json={"name": "Lantern Legal"}).status_code == 201
    assert admin.as_other("GET", "/services").status_code == 200


def test_guesses_at_one_key_are_limited_even_with_the_right_secret_last(seeded_app: Flask) -> None:
    seeded_app.config["AUTH_FAILURE_LIMIT"] = "3/minute"
    admin = make_admin(seeded_app)
    prefix = admin.partner_key.split("_")[1]
    guesses = [f"sa_{prefix}_{secrets.token_urlsafe(32)}" for _ in range(5)]
    statuses = [
        admin.client.get("/api/v1/admin/services", headers=admin.headers(guess)).status_code
        for guess in guesses
    ]
    assert statuses == [401, 401, 401, 429, 429]
    assert admin.as_partner("GET", "/services").status_code == 429
    assert admin.as_other("GET", "/services").status_code == 200
    elsewhere = admin.client.get(
        "/api/v1/admin/services",
        headers=admin.headers(admin.partner_key),
        environ_base={"REMOTE_ADDR": "10.9.9.8"},
    )
    assert elsewhere.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "key"),
    [
        ("GET", "/services", "partner"),
        ("GET", "/vetting_criteria", "partner"),
        ("GET", "/partners", "operator"),
        ("GET", "/audit", "operator"),
        ("GET", "/services", None),
        ("GET", "/partners", "partner"),
        ("GET", f"/services/{NO_SUCH_ID}", "partner"),
    ],
)
def test_admin_answers_are_never_stored_by_any_cache(
    admin: Admin, method: str, path: str, key: str | None
) -> None:
    token = {"partner": admin.partner_key, "operator": admin.operator_key, None: "sa_nope_nope"}[key]
    response = admin.client.open(f"/api/v1/admin{path}", method=method, headers=admin.headers(token))
    directives = {part.strip().split("=")[0] for part in response.headers["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives and not directives & {"public", "max-age", "s-maxage"}
    if response.status_code == 200:
        again = admin.client.open(
            f"/api/v1/admin{path}",
            method=method,
            headers=admin.headers(token, **{"If-None-Match": response.headers["ETag"]}),
        )
        assert again.status_code == 304 and "no-store" in again.headers["Cache-Control"]


def test_a_deactivated_partners_keys_stop_working_and_its_listings_stay(admin: Admin) -> None:
    own = admin.as_partner("GET", "/services").get_json()["contents"]
    etag = admin.as_operator("GET", f"/partners/{admin.partner_id}").headers["ETag"]
    response = admin.as_operator(
        "PATCH", f"/partners/{admin.partner_id}", json={"active": False}, headers={"If-Match": etag}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["active"] is False
    assert admin.as_partner("GET", "/services").status_code == 401
    for service in own:
        assert admin.as_operator("GET", f"/services/{service['id']}").status_code == 200
    etag = response.headers["ETag"]
    back = admin.as_operator(
        "PATCH", f"/partners/{admin.partner_id}", json={"active": True}, headers={"If-Match": etag}
    )
    assert back.status_code == 200
    assert admin.as_partner("GET", "/services").status_code == 200


def test_the_operator_creates_partners_and_issues_keys_through_the_api(admin: Admin) -> None:
    created = admin.as_operator(
        "POST", "/partners", json={"name": "Night Harbour Collective", "email": "hi@example.org"}
    )
    assert created.status_code == 201, created.get_json()
    partner = created.get_json()
    issued = admin.as_operator(
        "POST", "/keys", json={"role": "partner", "partner_id": partner["id"], "label": "phone"}
    )
    assert issued.status_code == 201
    token = issued.get_json()["key"]
    assert admin.client.get("/api/v1/admin/services", headers=admin.headers(token)).status_code == 200
    listed = admin.as_operator("GET", "/keys").get_json()["contents"]
    assert all("key" not in item and "secret_hash" not in item for item in listed)
    assert issued.get_json()["prefix"] in [item["prefix"] for item in listed]
    assert admin.as_operator("GET", f"/keys/{issued.get_json()['prefix']}").status_code == 200
    assert admin.as_operator("GET", "/keys/nosuchprefix").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "partner"}, "/partner_id"),
        ({"role": "partner", "partner_id": NO_SUCH_ID}, "/partner_id"),
        ({"role": "root"}, "/role"),
        ({}, "/role"),
    ],
)
def test_a_bad_key_request_names_the_field(admin: Admin, body: dict[str, str], field: str) -> None:
    response = admin.as_operator("POST", "/keys", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_a_new_partners_key_works_only_on_its_own_new_listings(admin: Admin) -> None:
    created = admin.as_partner("POST", "/services", json=new_service())
    assert created.status_code == 201
    assert admin.as_other("GET", f"/services/{created.get_json()['id']}").status_code == 404


def test_cli_creates_partners_and_keys(runner) -> None:  # type: ignore[no-untyped-def]
    created = runner.invoke(args=["partners", "create", "Lantern Legal", "--email", "desk@example.org"])
    assert created.exit_code == 0, created.output
    partner_id = created.output.strip()
    uuid.UUID(partner_id)
    issued = runner.invoke(args=["keys", "issue", "--partner", partner_id])
    assert issued.exit_code == 0
    token = issued.output.strip()
    assert token.startswith("sa_") and "\n" not in token
    client = runner.app.test_client()
    assert (
        client.get("/api/v1/admin/services", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )
    operator = runner.invoke(args=["keys", "issue", "--operator"]).output.strip()
    listed = runner.invoke(args=["keys", "list"]).output
    assert token.split("_")[1] in listed and operator.split("_")[1] in listed
    assert token.split("_", 2)[2] not in listed
    revoked = runner.invoke(args=["keys", "revoke", token.split("_")[1]])
    assert revoked.exit_code == 0
    assert (
        client.get("/api/v1/admin/services", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )
    both = runner.invoke(args=["keys", "issue", "--operator", "--partner", partner_id])
    assert both.exit_code != 0
    audit = client.get(
        "/api/v1/admin/audit?per_page=100", headers={"Authorization": f"Bearer {operator}"}
    ).get_json()
    actions = [(event["action"], event["entity_type"]) for event in audit["contents"]]
    assert (
        ("create", "partner") in actions
        and ("issue", "api_key") in actions
        and ("revoke", "api_key") in actions
    )


def test_failed_logins_are_counted_across_app_processes_through_redis(seeded_app: Flask) -> None:
    settings = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "AUTH_FAILURE_LIMIT": "3/minute"}
    seeded_app.config.update(settings)
    rate_limits.init_app(seeded_app)
    other_process = create_app(
        {"APP_ENV": "testing", "DATABASE_URL": seeded_app.config["DATABASE_URL"], **settings}
    )
    first, second = seeded_app.test_client(), other_process.test_client()
    client = {"REMOTE_ADDR": f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"}
    bad = {"Authorization": "Bearer sa_nope_nope"}

    def status(app_client: FlaskClient) -> int:
        return app_client.get("/api/v1/admin/services", headers=bad, environ_base=client).status_code

    assert [status(first), status(first), status(second)] == [401, 401, 401]
    assert [status(second), status(first)] == [429, 429]
    other_process.extensions["db_engine"].dispose()
