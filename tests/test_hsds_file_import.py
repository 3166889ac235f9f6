"""`flask import FILE`: the official HSDS examples import and round-trip via the export; bad files stop."""

from __future__ import annotations

import io
import json
import shutil
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from services_api.core.hsds.documents import _convert
from services_api.core.hsds.files import read_csv_package, read_hsds
from services_api.core.hsds.tables import Tables, table_columns
from services_api.db import get_session
from services_api.models import Base, Organization, Service
from tests.factories import listing

EXAMPLES = Path(__file__).resolve().parents[1] / "seed_data" / "hsds-3.0" / "examples"
JSON_EXAMPLES = sorted(path.name for path in EXAMPLES.glob("*.json"))


def _import(app: Flask, path: Path, *flags: str) -> Any:
    return app.test_cli_runner().invoke(args=["import", *flags, str(path)])


def _zip_of(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for file in folder.glob("*.csv"):
            archive.write(file, f"hsds/{file.name}")
    return target


@pytest.mark.parametrize("name", [*JSON_EXAMPLES, "csv"])
def test_every_official_example_imports(app: Flask, name: str) -> None:
    result = _import(app, EXAMPLES / name, "--vetted")
    assert result.exit_code == 0, result.output
    assert "Imported:" in result.output
    models = _models()
    file = read_hsds(EXAMPLES / name)
    with app.app_context():
        session = get_session()
        for table, rows in file.rows.items():
            if table not in models:
                assert f"{len(rows)} {table} record(s)" in result.output, f"{table} left out silently"
                continue
            for row_id in rows:
                stored = session.get(models[table], uuid.UUID(row_id))
                left_out = f"{file.origins[(table, row_id)]}: " in result.output
                assert stored is not None or left_out, f"{table} {row_id} was neither stored nor reported"


def test_the_official_csv_package_imports_from_a_zip(app: Flask, tmp_path: Path) -> None:
    result = _import(app, _zip_of(EXAMPLES / "csv", tmp_path / "package.zip"), "--vetted")
    assert result.exit_code == 0, result.output
    body = app.test_client().get("/api/v1/services").get_json()
    assert [item["name"] for item in body["contents"]] == ["Community Counselling"]


def _export(app: Flask) -> Tables:
    response = app.test_client().get("/api/v1/export")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    return read_csv_package({name: archive.read(name) for name in archive.namelist()})


def _models() -> dict[str, Any]:
    return {mapper.class_.__tablename__: mapper.class_ for mapper in Base.registry.mappers}


def _stored_fields_lost(original: Tables, exported: Tables, warned: str) -> list[str]:
    """Compare, field by field, every value of the file that our model stores with the export.

    Only what the import warned about (in `warned`, its output) may differ or be missing.
    """
    lost = []
    models = _models()
    for table, rows in original.rows.items():
        model = models.get(table)
        if model is None:
            continue
        columns = model.__table__.columns
        for row_id, row in rows.items():
            where = original.origins[(table, row_id)]
            copy = exported.rows.get(table, {}).get(row_id)
            if copy is None:
                if f"{where}: " not in warned:
                    lost.append(f"{table} {row_id}: not exported")
                continue
            for name in table_columns()[table]:
                if name not in columns or row.get(name) is None or f"{where}/{name}: " in warned:
                    continue
                expected = _convert(columns[name], row[name])
                if (table, name) == ("phone", "number") and row.get("display_number") is None:
                    # Stored in E.164; the number as the file typed it comes back as display_number
                    # (a file of ours has both already).
                    name = "display_number"
                actual = _convert(columns[name], copy.get(name)) if copy.get(name) is not None else None
                if actual != expected:
                    lost.append(f"{table}.{name} of {row_id}: {row[name]!r} came back as {copy.get(name)!r}")
    return lost


@pytest.mark.parametrize("name", ["csv", "organization_full.json", "service_at_location_full.json"])
def test_official_examples_round_trip_through_the_export_without_losing_a_stored_field(
    app: Flask, name: str
) -> None:
    result = _import(app, EXAMPLES / name, "--vetted")
    assert result.exit_code == 0, result.output
    original = read_hsds(EXAMPLES / name)
    exported = _export(app)
    assert exported.rows["service"], "the vetted example service is public"
    assert _stored_fields_lost(original, exported, result.output) == []
    # What the import changed, it said so: the example's placeholder extent is kept as text.
    area = next(iter(exported.rows["service_area"].values()))
    assert area["extent_type"] == "text" and "kept as a text extent" in result.output


def test_importing_the_same_file_again_changes_nothing(app: Flask) -> None:
    assert _import(app, EXAMPLES / "csv", "--vetted").exit_code == 0
    again = _import(app, EXAMPLES / "csv", "--vetted")
    assert again.exit_code == 0
    assert "0 records created, 0 changed" in again.output


def test_imported_services_stay_pending_unless_the_operator_says_they_are_vetted(app: Flask) -> None:
    result = _import(app, EXAMPLES / "service_full.json")
    assert result.exit_code == 0, result.output
    client = app.test_client()
    assert client.get("/api/v1/services").get_json()["total_items"] == 0
    with app.app_context():
        assert get_session().scalars(select(Service.vetting_status)).all() == ["pending"]
    assert _import(app, EXAMPLES / "service_full.json", "--vetted").exit_code == 0
    assert client.get("/api/v1/services").get_json()["total_items"] == 1


def test_a_file_without_vetting_cannot_make_a_listing_public_by_saying_so(app: Flask, tmp_path: Path) -> None:
    document = listing("Self-vetted clinic", 10.0, 10.0, vetting_status="vetted")
    path = tmp_path / "listing.json"
    path.write_text(json.dumps(document))
    assert _import(app, path).exit_code == 0
    assert app.test_client().get("/api/v1/services").get_json()["total_items"] == 0


def test_vetted_import_keeps_a_vetting_status_the_file_states(app: Flask, tmp_path: Path) -> None:
    suspended = listing("Suspended clinic", 10.0, 10.0, vetting_status="suspended")
    unstated = listing("Checked clinic", 10.0, 10.0)
    del unstated["services"][0]["vetting_status"]
    path = tmp_path / "backup.json"
    path.write_text(json.dumps([suspended, unstated]))
    assert _import(app, path, "--vetted").exit_code == 0
    names = [item["name"] for item in app.test_client().get("/api/v1/services").get_json()["contents"]]
    assert names == ["Checked clinic"]


def test_ndjson_of_organizations_imports(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "directory.ndjson"
    path.write_text("\n".join(json.dumps(listing(f"Clinic {index}", 10.0, 10.0)) for index in range(3)))
    result = _import(app, path, "--vetted")
    assert result.exit_code == 0, result.output
    assert app.test_client().get("/api/v1/services").get_json()["total_items"] == 3


def _organization_count(app: Flask) -> int:
    with app.app_context():
        return int(get_session().scalar(select(func.count()).select_from(Organization)) or 0)


def test_a_bad_record_stops_the_whole_import_naming_its_pointer(app: Flask, tmp_path: Path) -> None:
    good, bad = listing("Good clinic", 10.0, 10.0), listing("Bad clinic", 10.0, 10.0)
    bad["services"][0]["minimum_age"] = "eighteen"
    bad["locations"][0]["confidential"] = "yes"
    path = tmp_path / "two.json"
    path.write_text(json.dumps([good, bad]))
    result = _import(app, path, "--vetted")
    assert result.exit_code == 1
    assert "Nothing imported" in result.output
    assert "/1/services/0/minimum_age: must be a number" in result.output
    assert "/1/locations/0/confidential: must be true or false" in result.output
    assert _organization_count(app) == 0


def test_a_bad_csv_row_is_named_by_file_and_row(app: Flask, tmp_path: Path) -> None:
    folder = tmp_path / "package"
    shutil.copytree(EXAMPLES / "csv", folder)
    services = (folder / "services.csv").read_text(encoding="utf-8")
    (folder / "services.csv").write_text(services.replace(",12,100,", ",twelve,100,"), encoding="utf-8")
    result = _import(app, folder, "--vetted")
    assert result.exit_code == 1
    assert "services.csv:2/minimum_age" in result.output
    assert _organization_count(app) == 0


def test_a_service_of_an_unknown_organisation_is_an_error(app: Flask, tmp_path: Path) -> None:
    service = json.loads((EXAMPLES / "service_full.json").read_text())
    del service["organization"]
    service["organization_id"] = "00000000-0000-4000-8000-000000000001"
    path = tmp_path / "service.json"
    path.write_text(json.dumps(service))
    result = _import(app, path)
    assert result.exit_code == 1
    assert "/organization_id: names organization 00000000-0000-4000-8000-000000000001" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
        (b"{not json", "not JSON"),
        (b"name,description\nx,y\n", "not JSON"),
    ],
)
def test_a_file_that_is_not_hsds_is_refused_with_a_reason(
    app: Flask, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    result = _import(app, path)
    assert result.exit_code == 2
    assert message in result.output


def test_a_broken_ndjson_line_is_named_by_its_number(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "broken.ndjson"
    path.write_text(json.dumps(listing("One", 1.0, 1.0)) + "\n{oops\n" + json.dumps(listing("Two", 1.0, 1.0)))
    result = _import(app, path)
    assert result.exit_code == 1
    assert "line 2: not JSON" in result.output
    assert _organization_count(app) == 0


def test_the_demo_directory_round_trips_through_export_and_import(seeded_app: Flask, app: Flask) -> None:
    first = seeded_app.test_client().get("/api/v1/export").get_data()
    path = Path(app.instance_path) / "export.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(first)
    result = _import(app, path, "--vetted")
    assert result.exit_code == 0, result.output
    original = read_csv_package(
        {
            name: zipfile.ZipFile(io.BytesIO(first)).read(name)
            for name in zipfile.ZipFile(io.BytesIO(first)).namelist()
        }
    )
    assert _stored_fields_lost(original, _export(app), result.output) == []


def test_a_partial_package_adds_to_stored_records_and_removes_nothing(
    seeded_app: Flask, tmp_path: Path
) -> None:
    client = seeded_app.test_client()
    service = client.get("/api/v1/services?full=true&per_page=1").get_json()["contents"][0]
    phones_before = {phone["id"] for phone in service.get("phones", [])}
    folder = tmp_path / "package"
    folder.mkdir()
    (folder / "phones.csv").write_text(
        "id,location_id,service_id,organization_id,contact_id,service_at_location_id,number,extension,type,description\n"
        f"5f0b3c1e-1d2a-4c3b-9e4f-0a1b2c3d4e5f,,{service['id']},,,,+44 20 7946 0999,,voice,Evening line\n",
        encoding="utf-8",
    )
    result = _import(seeded_app, folder)
    assert result.exit_code == 0, result.output
    after = client.get(f"/api/v1/services/{service['id']}").get_json()
    assert {phone["id"] for phone in after["phones"]} == phones_before | {
        "5f0b3c1e-1d2a-4c3b-9e4f-0a1b2c3d4e5f"
    }


def test_a_service_that_names_no_organisation_is_an_error(app: Flask, tmp_path: Path) -> None:
    service = json.loads((EXAMPLES / "service_full.json").read_text())
    del service["organization"]
    path = tmp_path / "service.json"
    path.write_text(json.dumps(service))
    result = _import(app, path)
    assert result.exit_code == 1
    assert "/organization_id: is required" in result.output
