"""Our own export imports back (into the directory it came from, and into an empty one) and is valid HSDS.

The directory exported holds the demo listings (confidential refuges among them) and a partner created
the README's way, without a description, whose service the operator approved.
"""

from __future__ import annotations

import csv
import io
import json
import socket
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from frictionless import Package
from sqlalchemy import select

from services_api.core.access import keys
from services_api.core.actors import Actor
from services_api.core.hsds.tables import EXTENSION_TABLES, EXTRA_COLUMNS, datapackage, table_files
from services_api.db import get_session
from services_api.models import Address, Location, Role
from tests.admin_helpers import new_location, new_service

# Columns the importing directory sets itself: the time it stored the change (README: not kept).
SET_ON_IMPORT: dict[str, tuple[str, ...]] = {"services.csv": ("last_modified",)}

Package_ = dict[str, list[dict[str, str]]]


def _operator_key(app: Flask) -> str:
    with app.app_context():
        session = get_session()
        token = keys.issue_key(
            session, app.config["SECRET_KEY"], actor=Actor.command_line(), role=Role.OPERATOR
        ).token
        session.commit()
        return token


def _add_partner_listing(app: Flask) -> str:
    """Create a partner as `partners create` does (no description); publish its listing; return its id."""
    runner = app.test_cli_runner()
    created = runner.invoke(args=["partners", "create", "Night Harbour Collective"])
    assert created.exit_code == 0, created.output
    partner_id = created.output.strip().splitlines()[-1]
    issued = runner.invoke(args=["keys", "issue", "--partner", partner_id])
    assert issued.exit_code == 0, issued.output
    partner = {"Authorization": f"Bearer {issued.output.strip().splitlines()[-1]}"}
    operator = {"Authorization": f"Bearer {_operator_key(app)}"}
    client = app.test_client()
    place = client.post("/api/v1/admin/locations", json=new_location("Harbour drop-in"), headers=partner)
    service = client.post("/api/v1/admin/services", json=new_service(), headers=partner)
    assert place.status_code == 201 and service.status_code == 201, (place.get_json(), service.get_json())
    link = {"service_id": service.get_json()["id"], "location_id": place.get_json()["id"]}
    assert client.post("/api/v1/admin/service_at_locations", json=link, headers=partner).status_code == 201
    criteria = client.get("/api/v1/admin/vetting_criteria", headers=operator).get_json()["contents"]
    approval = {"note": "Visited.", "criteria": [item["code"] for item in criteria if item["mandatory"]]}
    approved = client.post(
        f"/api/v1/admin/services/{link['service_id']}/approve", json=approval, headers=operator
    )
    assert approved.status_code == 200, approved.get_json()
    translations = f"/api/v1/admin/translations/service/{link['service_id']}"
    spanish = {"language": "es", "text": {"name": "Clínica de tarde", "description": "Pruebas sin cita."}}
    assert client.post(translations, json=spanish, headers=partner).status_code == 201
    place_texts = f"/api/v1/admin/translations/location/{link['location_id']}"
    version = client.get(place_texts, headers=partner).headers["ETag"]
    french = client.patch(place_texts, json={"language": "fr"}, headers={**partner, "If-Match": version})
    assert french.status_code == 200, french.get_json()
    english = {"language": "en", "text": {"name": "Harbour drop-in (English)"}}
    assert client.post(place_texts, json=english, headers=partner).status_code == 201
    return partner_id


@pytest.fixture
def directory(seeded_app: Flask) -> Flask:
    """The demo directory with a partner's approved listing added."""
    _add_partner_listing(seeded_app)
    return seeded_app


def _export(app: Flask) -> bytes:
    response = app.test_client().get("/api/v1/export")
    assert response.status_code == 200
    return response.get_data()


def _tables(archive: bytes, *, without: dict[str, tuple[str, ...]] | None = None) -> Package_:
    """Read every CSV file of an export, leaving out the columns in `without`."""
    package = zipfile.ZipFile(io.BytesIO(archive))
    tables = {}
    for name in package.namelist():
        if name.endswith(".csv"):
            rows = csv.DictReader(io.StringIO(package.read(name).decode("utf-8")))
            left_out = (without or {}).get(name, ())
            tables[name] = sorted(
                ({key: value for key, value in row.items() if key not in left_out} for row in rows),
                key=lambda row: row["id"],
            )
    return tables


def _import(app: Flask, archive: bytes, tmp_path: Path, route: str, *, vetted: bool) -> None:
    """Import an export as the operator, with the CLI or through the admin endpoint.

    `vetted`: the operator attests the services are vetted (an empty directory publishes none without).
    """
    if route == "cli":
        path = tmp_path / "export.zip"
        path.write_bytes(archive)
        result = app.test_cli_runner().invoke(args=["import", *(["--vetted"] if vetted else []), str(path)])
        assert result.exit_code == 0, result.output
        return
    response = app.test_client().post(
        f"/api/v1/admin/import?vetted={str(vetted).lower()}",
        data=archive,
        headers={"Authorization": f"Bearer {_operator_key(app)}", "Content-Type": "application/zip"},
    )
    assert response.status_code == 200, response.get_json()


def _differences(after: Package_, before: Package_) -> list[str]:
    """Name each changed cell (file, id, column), added row and removed row."""
    found = []
    for name, rows in before.items():
        old = {row["id"]: row for row in rows}
        new = {row["id"]: row for row in after.get(name, [])}
        found += [f"{name}: {row_id} removed" for row_id in old.keys() - new.keys()]
        found += [f"{name}: {row_id} added" for row_id in new.keys() - old.keys()]
        for row_id in old.keys() & new.keys():
            found += [
                f"{name}: {row_id}/{column}: {value!r} -> {new[row_id].get(column)!r}"
                for column, value in old[row_id].items()
                if new[row_id].get(column) != value
            ]
    return sorted(found)


def _stored_addresses(app: Flask) -> dict[str, tuple[str, str]]:
    with app.app_context():
        rows = get_session().execute(select(Address.id, Address.address_1, Address.postal_code))
        return {str(row.id): (row.address_1, row.postal_code) for row in rows}


@pytest.mark.parametrize("route", ["cli", "endpoint"])
def test_the_export_imported_into_an_empty_directory_exports_the_same(
    directory: Flask, app: Flask, tmp_path: Path, route: str
) -> None:
    first = _export(directory)
    _import(app, first, tmp_path, route, vetted=True)
    again = _export(app)
    assert _tables(again, without=SET_ON_IMPORT) == _tables(first, without=SET_ON_IMPORT)
    organizations = {row["name"]: row for row in _tables(again)["organizations.csv"]}
    assert organizations["Night Harbour Collective"]["description"]


@pytest.mark.parametrize("route", ["cli", "endpoint"])
def test_the_export_imported_into_its_own_directory_changes_nothing(
    directory: Flask, tmp_path: Path, route: str
) -> None:
    addresses = _stored_addresses(directory)
    first = _export(directory)
    _import(directory, first, tmp_path, route, vetted=False)
    assert _differences(_tables(_export(directory)), _tables(first)) == []
    # The confidential streets and postcodes the export withheld are still stored, untouched.
    assert _stored_addresses(directory) == addresses


def test_translations_travel_in_their_own_tables(directory: Flask) -> None:
    tables = _tables(_export(directory))
    texts = {
        (row["record_kind"], row["field"], row["language"], row["text"]) for row in tables["translations.csv"]
    }
    assert ("service", "name", "es", "Clínica de tarde") in texts
    assert ("location", "name", "en", "Harbour drop-in (English)") in texts
    assert {language for _, _, language, _ in texts} == {"en", "es", "fr", "pt"}  # the demo's too
    languages = {row["language"] for row in tables["text_languages.csv"]}
    assert languages == {"en", "fr"}


def test_a_confidential_location_has_no_address_row(directory: Flask) -> None:
    tables = _tables(_export(directory))
    with directory.app_context():
        session = get_session()
        confidential = {str(id_) for id_ in session.scalars(select(Location.id).where(Location.confidential))}
    exported = {row["id"] for row in tables["locations.csv"]}
    assert confidential & exported, "the demo directory publishes confidential refuges"
    assert not confidential & {row["location_id"] for row in tables["addresses.csv"]}
    assert all(row["address_1"] and row["postal_code"] for row in tables["addresses.csv"])


def _validate(
    descriptor: dict[str, Any], folder: Path, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[str, str, str]]:
    """Validate the CSV files in `folder` against `descriptor` with frictionless, refusing any network use."""
    attempts: list[Any] = []

    def no_network(*args: Any, **_kwargs: Any) -> None:
        attempts.append(args)
        raise OSError("no network in tests")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    report = Package(descriptor, basepath=str(folder)).validate()
    assert attempts == [], "frictionless tried to reach the network"
    return [
        (
            str(task.name),
            str(error.type),
            str(getattr(error, "label", None) or getattr(error, "field_name", "")),
        )
        for task in report.tasks
        for error in task.errors
    ]


def test_the_export_passes_frictionless_against_the_official_datapackage(
    directory: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    zipfile.ZipFile(io.BytesIO(_export(directory))).extractall(tmp_path)
    official = json.loads(json.dumps(datapackage()))
    extensions = {resource["path"] for resource in EXTENSION_TABLES}
    assert extensions == {"translations.csv", "text_languages.csv"}
    assert {resource["path"] for resource in official["resources"]} == set(
        table_files().values()
    ) - extensions
    errors = _validate(official, tmp_path, monkeypatch)
    # Only our extension columns, declared in our own datapackage.json, are beyond the official one.
    declared = {
        (table, "extra-label", column["name"]) for table, extras in EXTRA_COLUMNS.items() for column in extras
    }
    assert set(errors) == declared and len(errors) == len(declared), errors
    ours = json.loads((tmp_path / "datapackage.json").read_text())
    assert extensions <= {resource["path"] for resource in ours["resources"]}
    assert _validate(ours, tmp_path, monkeypatch) == []
