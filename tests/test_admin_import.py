"""POST /api/v1/admin/import and `import --partner`: all or nothing, only into one's own organisation."""

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

from services_api.core.hsds.partner_import import NOT_YOURS
from services_api.db import get_session
from services_api.models import Service
from tests.admin_helpers import Admin, make_admin

EXAMPLES = Path(__file__).resolve().parents[1] / "seed_data" / "hsds-3.0" / "examples"


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


def organisation_file(
    partner_id: uuid.UUID, *, postcode: str = "W1D 3QU", with_point: bool = False
) -> dict[str, Any]:
    location_id, service_id = str(uuid.uuid4()), str(uuid.uuid4())
    location: dict[str, Any] = {
        "id": location_id,
        "name": "Night drop-in",
        "location_type": "physical",
        "addresses": [
            {
                "id": str(uuid.uuid4()),
                "address_1": "3 Example Yard",
                "city": "London",
                "state_province": "England",
                "postal_code": postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ],
    }
    if with_point:
        location.update(latitude=51.5, longitude=-0.12)
    return {
        "id": str(partner_id),
        "name": "First partner",
        "description": "Peer-led support.",
        "locations": [location],
        "services": [
            {
                "id": service_id,
                "name": "Night drop-in",
                "status": "active",
                "service_at_locations": [{"id": str(uuid.uuid4()), "location_id": location_id}],
            }
        ],
    }


def services_count(app: Flask) -> int:
    with app.app_context():
        return int(get_session().scalar(select(func.count(Service.id))) or 0)


def post_import(admin: Admin, body: Any, *, key: str | None = None, query: str = "", **kwargs: Any) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    content_type = kwargs.pop("content_type", "application/json")
    return admin.client.post(
        f"/api/v1/admin/import{query}",
        data=data,
        headers={**admin.headers(key or admin.partner_key), "Content-Type": content_type},
        **kwargs,
    )


def test_a_partner_imports_its_listings_which_wait_for_vetting(admin: Admin) -> None:
    document = organisation_file(admin.partner_id)
    response = post_import(admin, document)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["created"] > 0 and response.get_json()["dry_run"] is False
    services = admin.as_partner("GET", "/services?vetting_status=pending").get_json()["contents"]
    assert [(item["name"], item["vetting_status"], item["public"]) for item in services] == [
        ("Night drop-in", "pending", False)
    ]
    location = services[0]["service_at_locations"][0]["location"]
    assert location["latitude"] == pytest.approx(51.513, abs=0.01)
    again = post_import(admin, document)
    assert (again.get_json()["created"], again.get_json()["changed"]) == (0, 0)
    audit = admin.as_operator("GET", "/audit?action=import").get_json()["contents"]
    assert [event["entity_id"] for event in audit] == [str(admin.partner_id)] * 2


def test_a_dry_run_reports_and_writes_nothing(admin: Admin) -> None:
    before = services_count(admin.client.application)
    response = post_import(admin, organisation_file(admin.partner_id), query="?dry_run=true")
    assert response.status_code == 200
    assert response.get_json()["dry_run"] is True and response.get_json()["created"] > 0
    assert services_count(admin.client.application) == before
    assert admin.as_operator("GET", "/audit?action=import").get_json()["total_items"] == 0


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        (lambda doc, admin: doc.update(id=str(admin.other_partner_id)), "/0/id"),
        (
            lambda doc, admin: doc["services"][0].update(vetting_status="vetted"),
            "/0/services/0/vetting_status",
        ),
        (lambda doc, admin: doc["services"][0].update(minimum_age="old"), "/0/services/0/minimum_age"),
        (
            lambda doc, admin: doc["locations"][0]["addresses"][0].update(
                postal_code="ZZ9 9ZZ", city="Atlantis"
            ),
            "/0/locations/0/latitude",
        ),
    ],
)
def test_a_refused_import_names_the_record_and_writes_nothing(
    admin: Admin, change: Any, pointer: str
) -> None:
    before = services_count(admin.client.application)
    document = organisation_file(admin.partner_id)
    change(document, admin)
    response = post_import(admin, [document])
    assert response.status_code == 422, response.get_json()
    assert pointer in response.get_json()["errors"], response.get_json()["errors"]
    assert services_count(admin.client.application) == before


def test_a_partner_cannot_overwrite_another_organisations_records(admin: Admin) -> None:
    theirs = organisation_file(admin.other_partner_id, with_point=True)
    assert post_import(admin, theirs, key=admin.other_partner_key).status_code == 200
    mine = organisation_file(admin.partner_id, with_point=True)
    mine["services"] = theirs["services"]
    mine["services"][0]["name"] = "Taken over"
    mine["locations"] = theirs["locations"]
    response = post_import(admin, [mine])
    assert response.status_code == 422
    assert response.get_json()["errors"]["/0/services/0/id"] == NOT_YOURS
    names = [item["name"] for item in admin.as_other("GET", "/services?per_page=100").get_json()["contents"]]
    assert "Night drop-in" in names and "Taken over" not in names


def test_ndjson_and_zipped_csv_bodies_import(admin: Admin) -> None:
    lines = "\n".join(json.dumps(organisation_file(admin.partner_id, with_point=True)) for _ in range(2))
    response = post_import(admin, lines.encode(), content_type="application/x-ndjson")
    assert response.status_code == 200, response.get_json()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        for path in sorted((EXAMPLES / "csv").iterdir()):
            package.write(path, path.name)
    by_operator = post_import(
        admin, archive.getvalue(), key=admin.operator_key, content_type="application/zip"
    )
    assert by_operator.status_code == 200, by_operator.get_json()
    assert by_operator.get_json()["services"] >= 1
    by_partner = post_import(admin, archive.getvalue(), content_type="application/zip")
    assert by_partner.status_code == 422


def test_bodies_of_the_wrong_kind_or_size_are_refused(seeded_app: Flask) -> None:
    seeded_app.config["MAX_CONTENT_LENGTH"] = 1000
    admin = make_admin(seeded_app)
    too_big = post_import(admin, [organisation_file(admin.partner_id)] * 5)
    assert too_big.status_code == 413
    assert post_import(admin, b"name,city", content_type="text/csv").status_code == 415
    assert post_import(admin, b"{not json").status_code == 422
    assert post_import(admin, organisation_file(admin.partner_id), query="?vetted=true").status_code == 403


def test_cli_imports_for_a_partner(seeded_app: Flask, tmp_path: Path) -> None:
    app = seeded_app
    admin = make_admin(app)
    runner = app.test_cli_runner()
    before = services_count(app)
    good = tmp_path / "mine.json"
    good.write_text(json.dumps(organisation_file(admin.partner_id)))
    result = runner.invoke(args=["import", str(good), "--partner", str(admin.partner_id)])
    assert result.exit_code == 0, result.output
    assert services_count(app) == before + 1
    wrong = tmp_path / "theirs.json"
    wrong.write_text(json.dumps(organisation_file(admin.other_partner_id)))
    refused = runner.invoke(args=["import", str(wrong), "--partner", str(admin.partner_id)])
    assert refused.exit_code == 1
    assert "/id: a partner imports only into its own organisation" in refused.output
    assert services_count(app) == before + 1
    both = runner.invoke(args=["import", str(good), "--partner", str(admin.partner_id), "--vetted"])
    assert both.exit_code != 0


@pytest.mark.parametrize("name", sorted(path.name for path in EXAMPLES.glob("*.json")))
def test_the_operator_imports_every_official_json_example_through_the_api(app: Flask, name: str) -> None:
    admin = make_admin(app)
    response = post_import(
        admin, (EXAMPLES / name).read_bytes(), key=admin.operator_key, query="?vetted=true"
    )
    assert response.status_code == 200, response.get_json()
    again = post_import(admin, (EXAMPLES / name).read_bytes(), key=admin.operator_key, query="?vetted=true")
    assert (again.get_json()["created"], again.get_json()["changed"]) == (0, 0)
