"""GET /api/v1/export: the public directory as an HSDS 3.0 tabular data package."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services_api.models import Location, Service
from tests.factories import import_listings, listing, shows

OFFICIAL = Path(__file__).resolve().parents[1] / "seed_data" / "hsds-3.0" / "datapackage.json"


def _package(client: FlaskClient) -> dict[str, list[dict[str, str]]]:
    response = client.get("/api/v1/export")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    tables = {"datapackage.json": json.loads(archive.read("datapackage.json"))}
    for name in archive.namelist():
        if name.endswith(".csv"):
            tables[name] = list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))
    return tables


def test_export_has_every_official_table_with_its_columns_in_order(client: FlaskClient) -> None:
    response = client.get("/api/v1/export")
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    official = json.loads(OFFICIAL.read_text())
    descriptor = json.loads(archive.read("datapackage.json"))
    assert descriptor["profile"] == "tabular-data-package"
    for resource in official["resources"]:
        header = next(csv.reader(io.StringIO(archive.read(resource["path"]).decode("utf-8"))))
        columns = [column["name"] for column in resource["schema"]["fields"]]
        assert header[: len(columns)] == columns, resource["path"]
        ours = next(item for item in descriptor["resources"] if item["name"] == resource["name"])
        assert [column["name"] for column in ours["schema"]["fields"]] == header


def test_export_holds_exactly_the_public_services_and_their_places(client: FlaskClient) -> None:
    package = _package(client)
    streamed = client.get("/api/v1/services?format=ndjson").get_data(as_text=True).splitlines()
    public_ids = {json.loads(line)["id"] for line in streamed}
    exported = [row["id"] for row in package["services.csv"]]
    assert len(exported) == len(set(exported))
    assert set(exported) == public_ids
    location_ids = {row["id"] for row in package["locations.csv"]}
    links = package["service_at_location.csv"]
    assert links and all(row["location_id"] in location_ids for row in links)
    assert all(row["service_id"] in public_ids for row in links)
    organization_ids = {row["id"] for row in package["organizations.csv"]}
    assert all(row["organization_id"] in organization_ids for row in package["services.csv"])
    for table, rows in package.items():
        if table.endswith(".csv"):
            ids = [row["id"] for row in rows]
            assert len(ids) == len(set(ids)), f"{table} repeats an id"


def test_export_never_holds_a_confidential_street_or_true_point(client: FlaskClient, db: Session) -> None:
    archive = client.get("/api/v1/export").get_data()
    text = "\n".join(
        zipfile.ZipFile(io.BytesIO(archive)).read(name).decode("utf-8")
        for name in zipfile.ZipFile(io.BytesIO(archive)).namelist()
    )
    package = _package(client)
    rows = {row["id"]: row for row in package["locations.csv"]}
    confidential = db.scalars(select(Location).where(Location.confidential.is_(True))).all()
    shown = [location for location in confidential if str(location.id) in rows]
    assert len(shown) >= 2
    for location in shown:
        row = rows[str(location.id)]
        assert row["confidential"] == "true"
        json_location = next(
            item["location"]
            for item in client.get("/api/v1/service_at_locations?per_page=100").get_json()["contents"]
            if item["location"]["id"] == str(location.id)
        )
        assert float(row["latitude"]) == json_location["latitude"]
        assert float(row["longitude"]) == json_location["longitude"]
        assert repr(location.latitude) not in text and repr(location.longitude) not in text
        for address in location.addresses:
            assert not shows(address.address_1, text) and not shows(address.postal_code, text)
        assert not row["transportation"]


def test_export_leaves_out_services_that_are_not_public(client: FlaskClient, db: Session) -> None:
    hidden = db.scalars(select(Service).where(Service.vetting_status != "vetted")).all()
    assert hidden
    exported = {row["id"] for row in _package(client)["services.csv"]}
    assert not exported & {str(service.id) for service in hidden}


def test_export_is_answered_304_until_the_directory_changes(seeded_app: Flask) -> None:
    client = seeded_app.test_client()
    first = client.get("/api/v1/export")
    assert first.get_data()
    etag = first.headers["ETag"]
    unchanged = client.get("/api/v1/export", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    import_listings(seeded_app, [listing("Late-night van", 51.5, -0.12)])
    changed = client.get("/api/v1/export", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert b"Late-night van" in zipfile.ZipFile(io.BytesIO(changed.get_data())).read("services.csv")


def test_export_of_an_empty_directory_is_a_package_of_headers(empty_client: FlaskClient) -> None:
    package = _package(empty_client)
    assert package["services.csv"] == [] and package["organizations.csv"] == []
