"""An import names every problem of every record in one answer, dry run or not, and writes nothing then."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from services_api.core.limits import MAX_REPORTED_PROBLEMS
from services_api.db import get_session
from services_api.models import AuditEvent, Location, Service
from tests.admin_helpers import Admin, make_admin

ADDRESS = {
    "address_1": "3 Example Yard",
    "city": "London",
    "state_province": "England",
    "postal_code": "W1D 3QE",
    "country": "GB",
    "address_type": "physical",
}


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


def counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        session = get_session()
        return tuple(  # type: ignore[return-value]
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Service, Location, AuditEvent)
        )


def faulty_organisation(partner_id: uuid.UUID) -> dict[str, Any]:
    """A partner's file with four problems in three records, each of a different check."""
    return {
        "id": str(partner_id),
        "name": "First partner",
        "description": "Peer-led support.",
        "locations": [
            # its address has no id: the location cannot be placed, but that is not the problem
            {"id": str(uuid.uuid4()), "name": "Night drop-in", "addresses": [dict(ADDRESS)]},
            {"id": str(uuid.uuid4()), "name": "Day centre", "latitude": 51.5, "longitude": -0.1},
        ],
        "services": [
            {
                "id": str(uuid.uuid4()),
                "name": "Night drop-in",
                "status": "sometimes",
                "minimum_age": "old",
                "service_at_locations": [{"id": str(uuid.uuid4()), "location_id": str(uuid.uuid4())}],
            }
        ],
    }


EXPECTED = {
    "/0/locations/0/addresses/0/id",
    "/0/services/0/status",
    "/0/services/0/minimum_age",
    "/0/services/0/service_at_locations/0/location_id",
}


def post_import(admin: Admin, data: bytes, content_type: str, query: str = "") -> Any:
    return admin.client.post(
        f"/api/v1/admin/import{query}",
        data=data,
        headers={**admin.headers(admin.partner_key), "Content-Type": content_type},
    )


@pytest.mark.parametrize("query", ["?dry_run=true", ""])
def test_every_problem_of_every_record_in_one_answer(admin: Admin, query: str) -> None:
    before = counts(admin.client.application)
    response = post_import(
        admin, json.dumps([faulty_organisation(admin.partner_id)]).encode(), "application/json", query
    )
    assert response.status_code == 422
    body = response.get_json()
    assert set(body["errors"]) == EXPECTED, body["errors"]
    assert body["errors"]["/0/locations/0/addresses/0/id"] == "is required"
    assert body["message"] == "Nothing imported: 4 problem(s)."
    assert counts(admin.client.application) == before


def test_ndjson_problems_are_named_by_line(admin: Admin) -> None:
    good = faulty_organisation(admin.partner_id)
    good["services"] = []
    good["locations"] = good["locations"][1:]
    lines = [json.dumps(good), "{not json", json.dumps(faulty_organisation(admin.partner_id))]
    response = post_import(admin, "\n".join(lines).encode(), "application/x-ndjson", "?dry_run=true")
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "line 2" in errors and errors["line 2"].startswith("not JSON")
    assert {f"line 3{pointer[2:]}" for pointer in EXPECTED} <= set(errors), errors


def csv_package(files: dict[str, list[dict[str, str]]]) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        for name, rows in files.items():
            text = io.StringIO()
            text.write(",".join(rows[0]) + "\n")
            for row in rows:
                text.write(",".join(row.values()) + "\n")
            package.writestr(name, text.getvalue())
    return archive.getvalue()


def test_csv_problems_are_named_by_file_and_row(admin: Admin) -> None:
    partner = str(admin.partner_id)
    location_id, service_id = str(uuid.uuid4()), str(uuid.uuid4())
    package = csv_package(
        {
            "organizations.csv": [{"id": partner, "name": "First partner", "description": "Peer-led."}],
            "locations.csv": [
                {
                    "id": location_id,
                    "organization_id": partner,
                    "name": "Drop-in",
                    "location_type": "physical",
                }
            ],
            "addresses.csv": [
                {
                    "id": "",
                    "location_id": location_id,
                    "address_1": "3 Example Yard",
                    "city": "London",
                    "postal_code": "W1D 3QE",
                    "country": "GB",
                }
            ],
            "services.csv": [
                {
                    "id": service_id,
                    "organization_id": partner,
                    "name": "Drop-in",
                    "status": "active",
                    "minimum_age": "x",
                },
                {
                    "id": str(uuid.uuid4()),
                    "organization_id": partner,
                    "name": "Clinic",
                    "status": "later",
                    "minimum_age": "",
                },
            ],
            "service_at_location.csv": [
                {"id": str(uuid.uuid4()), "service_id": service_id, "location_id": str(uuid.uuid4())}
            ],
        }
    )
    before = counts(admin.client.application)
    response = post_import(admin, package, "application/zip", "?dry_run=true")
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {
        "addresses.csv:2/id",
        "services.csv:2/minimum_age",
        "services.csv:3/status",
        "service_at_location.csv:2/location_id",
    }, response.get_json()["errors"]
    assert counts(admin.client.application) == before


def test_a_missing_organisation_is_the_one_problem_reported_for_it(app: Flask) -> None:
    admin = make_admin(app)
    missing = str(uuid.uuid4())
    package = csv_package(
        {
            "services.csv": [
                {"id": str(uuid.uuid4()), "organization_id": missing, "name": "Drop-in", "status": "active"},
                {"id": str(uuid.uuid4()), "organization_id": missing, "name": "Clinic", "status": "later"},
            ],
        }
    )
    response = admin.client.post(
        "/api/v1/admin/import?dry_run=true",
        data=package,
        headers={**admin.headers(admin.operator_key), "Content-Type": "application/zip"},
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {
        "services.csv:2/organization_id",
        "services.csv:3/organization_id",
        "services.csv:3/status",
    }, errors


def test_problems_past_the_cap_are_counted_not_listed(admin: Admin) -> None:
    extra = 25
    document = {
        "id": str(admin.partner_id),
        "name": "First partner",
        "description": "Peer-led support.",
        "services": [
            {"id": str(uuid.uuid4()), "name": f"Service {index}", "status": "active", "minimum_age": "old"}
            for index in range(MAX_REPORTED_PROBLEMS + extra)
        ],
    }
    response = post_import(admin, json.dumps(document).encode(), "application/json", "?dry_run=true")
    assert response.status_code == 422
    body = response.get_json()
    assert len(body["errors"]) == MAX_REPORTED_PROBLEMS
    assert f"/services/{MAX_REPORTED_PROBLEMS - 1}/minimum_age" in body["errors"]  # in the file's order
    assert f"/services/{MAX_REPORTED_PROBLEMS}/minimum_age" not in body["errors"]
    assert body["message"] == (
        f"Nothing imported: {MAX_REPORTED_PROBLEMS + extra:,} problem(s); "
        f"the first {MAX_REPORTED_PROBLEMS:,} are listed, {extra} more are not."
    )


def test_the_cli_dry_run_prints_every_problem_and_writes_nothing(seeded_app: Flask, tmp_path: Path) -> None:
    admin = make_admin(seeded_app)
    runner = seeded_app.test_cli_runner()
    before = counts(seeded_app)
    faulty = tmp_path / "faulty.json"
    faulty.write_text(json.dumps([faulty_organisation(admin.partner_id)]))
    for flags in (["--dry-run"], []):
        result = runner.invoke(args=["import", str(faulty), "--partner", str(admin.partner_id), *flags])
        assert result.exit_code == 1, result.output
        assert "Nothing imported: 4 problem(s)" in result.output
        for pointer in EXPECTED:
            assert f"  {pointer}: " in result.output
        assert "could not place" not in result.output
        assert counts(seeded_app) == before

    clean = faulty_organisation(admin.partner_id)
    clean["locations"][0]["addresses"][0]["id"] = str(uuid.uuid4())
    clean["services"][0].update(status="active", minimum_age=18)
    clean["services"][0]["service_at_locations"][0]["location_id"] = clean["locations"][0]["id"]
    good = tmp_path / "good.json"
    good.write_text(json.dumps([clean]))
    dry = runner.invoke(args=["import", str(good), "--partner", str(admin.partner_id), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run, nothing written:" in dry.output and "would be created" in dry.output
    assert counts(seeded_app) == before
    real = runner.invoke(args=["import", str(good), "--partner", str(admin.partner_id)])
    assert real.exit_code == 0, real.output
    assert counts(seeded_app)[:2] == (before[0] + 1, before[1] + 2)
