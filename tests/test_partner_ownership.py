"""A partner writes only its own records: no nested parent id, no imported row, no server-set column
reaches another organisation's listing or the server's own bookkeeping (issue 10, items 1 and 2)."""

from __future__ import annotations

import copy
import csv
import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from marshmallow import Schema, fields
from sqlalchemy import Float, Integer

from services_api.api.admin.kinds import SCHEMAS
from services_api.core.hsds.documents import Node
from services_api.core.hsds.tables import table_files
from services_api.core.listings.editing import LOCATIONS, SERVICE_AT_LOCATIONS, SERVICES
from services_api.db import get_session
from services_api.models import Attribute, Base, Partner
from services_api.models.base import UTCDateTime
from tests.admin_helpers import Admin, make_admin, new_location, term_id
from tests.test_admin_listings import mandatory

OWNED_TABLES = ("organization", "service", "location", "service_at_location", "contact", "phone")
KINDS = {"service": SERVICES, "location": LOCATIONS, "service_at_location": SERVICE_AT_LOCATIONS}
PATHS = {"service": "/services", "location": "/locations", "service_at_location": "/service_at_locations"}


def phone(number: str) -> dict[str, Any]:
    return {"number": number, "type": "voice", "languages": [{"name": "English", "code": "en"}]}


def contact() -> dict[str, Any]:
    return {"name": "Desk", "email": "desk@example.org", "phones": [phone("+44 20 7946 0101")]}


def schedule() -> dict[str, Any]:
    return {"freq": "WEEKLY", "byday": "MO", "opens_at": "10:00", "closes_at": "12:00"}


def service_tree(app: Flask, name: str) -> dict[str, Any]:
    """A service with one record of every nested kind (and of every nested kind inside those)."""
    return {
        "name": name,
        "description": "Every nested kind once.",
        "status": "active",
        "phones": [phone("+44 20 7946 0001")],
        "schedules": [schedule()],
        "languages": [{"name": "Polski", "code": "pl"}],
        "contacts": [contact()],
        "service_areas": [{"name": "Camden", "extent_type": "text", "extent": "Camden"}],
        "cost_options": [{"option": "Free", "currency": "GBP", "amount": 0}],
        "attributes": [{"taxonomy_term_id": term_id(app, "anonymous")}],
    }


def location_tree(app: Flask, name: str) -> dict[str, Any]:
    """A location with one record of every nested kind."""
    return new_location(
        name,
        accessibility=[{"description": "Step-free entrance"}],
        phones=[phone("+44 20 7946 0002")],
        schedules=[schedule()],
        languages=[{"name": "Română", "code": "ro"}],
        contacts=[contact()],
        attributes=[{"taxonomy_term_id": term_id(app, "anonymous")}],
    )


def link_tree(service_id: str, location_id: str) -> dict[str, Any]:
    """A service-at-location with its own phones, hours and contacts."""
    return {
        "service_id": service_id,
        "location_id": location_id,
        "description": "Tuesdays only.",
        "phones": [phone("+44 20 7946 0003")],
        "schedules": [schedule()],
        "contacts": [contact()],
    }


@dataclass
class Listing:
    """One organisation's vetted listing with every nested kind, as its admin documents."""

    organization_id: str
    service: dict[str, Any]
    location: dict[str, Any]
    link: dict[str, Any]
    spare_location: dict[str, Any]

    def ids(self) -> dict[str, str]:
        """The id of one record of each table a parent column can name."""
        return {
            "organization": self.organization_id,
            "service": self.service["id"],
            "location": self.location["id"],
            "service_at_location": self.link["id"],
            "contact": self.service["contacts"][0]["id"],
            "phone": self.service["phones"][0]["id"],
        }


def build_listing(admin: Admin, send: Any, organization_id: uuid.UUID, name: str) -> Listing:
    app = admin.client.application
    location = send("POST", "/locations", json=location_tree(app, f"{name} place"))
    assert location.status_code == 201, location.get_json()
    spare = send("POST", "/locations", json=location_tree(app, f"{name} second place"))
    service = send("POST", "/services", json=service_tree(app, name))
    assert service.status_code == 201, service.get_json()
    link = send(
        "POST", "/service_at_locations", json=link_tree(service.get_json()["id"], location.get_json()["id"])
    )
    assert link.status_code == 201, link.get_json()
    service_id = service.get_json()["id"]
    approved = admin.as_operator(
        "POST", f"/services/{service_id}/approve", json={"note": "Visited.", "criteria": mandatory(admin)}
    )
    assert approved.status_code == 200, approved.get_json()
    return Listing(
        str(organization_id),
        send("GET", f"/services/{service_id}").get_json(),
        send("GET", f"/locations/{location.get_json()['id']}").get_json(),
        send("GET", f"/service_at_locations/{link.get_json()['id']}").get_json(),
        spare.get_json(),
    )


@dataclass
class World:
    admin: Admin
    mine: Listing
    theirs: Listing

    def snapshot(self) -> dict[str, Any]:
        """Everything anyone sees of both listings (public and admin views) and the audit log's length."""
        client, theirs, mine = self.admin.client, self.theirs, self.mine
        views: dict[str, Any] = {
            "public service": client.get(f"/api/v1/services/{theirs.service['id']}").get_json(),
            "public link": client.get(f"/api/v1/service_at_locations/{theirs.link['id']}").get_json(),
            "public organisation": client.get(f"/api/v1/organizations/{theirs.organization_id}").get_json(),
            "audit": self.admin.as_operator("GET", "/audit?per_page=1").get_json()["total_items"],
        }
        for listing, send in ((theirs, self.admin.as_other), (mine, self.admin.as_partner)):
            for kind, document in (
                ("service", listing.service),
                ("location", listing.location),
                ("service_at_location", listing.link),
                ("location", listing.spare_location),
            ):
                views[f"{listing.organization_id} {kind} {document['id']}"] = send(
                    "GET", f"{PATHS[kind]}/{document['id']}"
                ).get_json()
        return views


@pytest.fixture
def world(seeded_app: Flask) -> World:
    admin = make_admin(seeded_app)
    mine = build_listing(admin, admin.as_partner, admin.partner_id, "My clinic")
    theirs = build_listing(admin, admin.as_other, admin.other_partner_id, "Their refuge")
    return World(admin, mine, theirs)


def parent_columns(model: type[Base]) -> list[str]:
    """Columns naming a record of an organisation: foreign keys to those tables, and attribute links."""
    names = [key.parent.key for key in model.__table__.foreign_keys if key.column.table.name in OWNED_TABLES]
    if model is Attribute:
        names += ["link_id", "link_entity"]
    return sorted(names)


def nested_records(node: Node, doc: dict[str, Any], path: str = "") -> Iterator[tuple[str, Node, str]]:
    """Yield (JSON pointer, node, parent table) of every nested record of a document, at any depth."""
    for key, child in node.children.items():
        for index, item in enumerate(doc.get(key) or []):
            where = f"{path}/{key}/{index}"
            yield where, child, node.model.__tablename__
            yield from nested_records(child, item, where)


def item_at(doc: dict[str, Any], pointer: str) -> dict[str, Any]:
    target: Any = doc
    for part in pointer.strip("/").split("/"):
        target = target[int(part)] if isinstance(target, list) else target[part]
    return target


def foreign_value(column: str, parent_table: str, theirs: Listing) -> Any:
    """The other organisation's record that a column could be pointed at."""
    if column == "link_entity":
        return "location" if parent_table == "service" else "service"
    if column == "link_id":
        return theirs.service["id"]
    return theirs.ids()[column.removesuffix("_id")]


def attacks(kind: str, document: dict[str, Any], theirs: Listing) -> Iterator[tuple[str, str, Any]]:
    """Yield (pointer of the nested record, column, other organisation's value) for every parent column."""
    for pointer, node, parent_table in nested_records(KINDS[kind].node, document):
        for column in parent_columns(node.model):
            yield pointer, column, foreign_value(column, parent_table, theirs)


def with_value(document: dict[str, Any], pointer: str, column: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    item_at(changed, pointer)[column] = value
    return changed


def new_document(world: World, kind: str) -> dict[str, Any]:
    app = world.admin.client.application
    if kind == "service":
        return service_tree(app, "Another clinic")
    if kind == "location":
        return location_tree(app, "Another place")
    return link_tree(world.mine.service["id"], world.mine.spare_location["id"])


def stored(world: World, kind: str) -> dict[str, Any]:
    return {
        "service": world.mine.service,
        "location": world.mine.location,
        "service_at_location": world.mine.link,
    }[kind]


def test_the_reported_attack_moving_ones_phone_into_another_listing_gets_422(world: World) -> None:
    admin, mine, theirs = world.admin, world.mine, world.theirs
    before = world.snapshot()
    own_phone = mine.service["phones"][0]
    response = admin.as_partner(
        "PATCH",
        f"/services/{mine.service['id']}",
        json={"phones": [{**own_phone, "service_id": theirs.service["id"], "number": "+44 20 7946 0666"}]},
        headers={"If-Match": f'"v{mine.service["version"]}"'},
    )
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"]["/phones/0/service_id"] == "must be this service's id (or left out)"
    assert world.snapshot() == before


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("method", ["PATCH", "PUT", "POST"])
def test_no_nested_parent_id_reaches_another_organisation(world: World, kind: str, method: str) -> None:
    admin, theirs = world.admin, world.theirs
    before = world.snapshot()
    document = stored(world, kind)
    source = new_document(world, kind) if method == "POST" else document
    tried = 0
    for pointer, column, value in attacks(kind, source, theirs):
        changed = with_value(source, pointer, column, value)
        if method == "POST":
            response = admin.as_partner("POST", PATHS[kind], json=changed)
        else:
            body = changed if method == "PUT" else {pointer.split("/")[1]: changed[pointer.split("/")[1]]}
            etag = admin.as_partner("GET", f"{PATHS[kind]}/{document['id']}").headers["ETag"]
            response = admin.as_partner(
                method, f"{PATHS[kind]}/{document['id']}", json=body, headers={"If-Match": etag}
            )
        assert response.status_code == 422, (method, pointer, column, response.get_json())
        assert f"{pointer}/{column}" in response.get_json()["errors"], (pointer, column, response.get_json())
        tried += 1
    assert tried >= {"service": 25, "location": 25, "service_at_location": 18}[kind]
    assert world.snapshot() == before


def test_the_operator_cannot_reparent_a_nested_record_either(world: World) -> None:
    admin, mine, theirs = world.admin, world.mine, world.theirs
    before = world.snapshot()
    for pointer, column, value in attacks("service", mine.service, theirs):
        etag = admin.as_operator("GET", f"/services/{mine.service['id']}").headers["ETag"]
        changed = with_value(mine.service, pointer, column, value)
        key = pointer.split("/")[1]
        response = admin.as_operator(
            "PATCH", f"/services/{mine.service['id']}", json={key: changed[key]}, headers={"If-Match": etag}
        )
        assert response.status_code == 422, (pointer, column, response.get_json())
        assert f"{pointer}/{column}" in response.get_json()["errors"]
    assert world.snapshot() == before
    etag = admin.as_operator("GET", f"/services/{theirs.service['id']}").headers["ETag"]
    edited = admin.as_operator(
        "PATCH", f"/services/{theirs.service['id']}", json={"phones": []}, headers={"If-Match": etag}
    )
    assert edited.status_code == 200 and edited.get_json()["phones"] == []


# Imports: every row names its parents; each must be in the file or one of the partner's own records.


def zipped_csv(table: str, rows: list[dict[str, Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=sorted({name for row in rows for name in row}))
    writer.writeheader()
    writer.writerows(rows)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr(table_files()[table], text.getvalue())
    return archive.getvalue()


def post_import(admin: Admin, body: bytes, content_type: str) -> Any:
    return admin.client.post(
        "/api/v1/admin/import",
        data=body,
        headers={**admin.headers(admin.partner_key), "Content-Type": content_type},
    )


ROW_VALUES: dict[str, dict[str, Any]] = {
    "phone": {"number": "+44 20 7946 0777"},
    "schedule": {"freq": "WEEKLY", "byday": "TU", "opens_at": "09:00", "closes_at": "10:00"},
    "language": {"name": "Deutsch", "code": "de"},
    "contact": {"name": "Night desk"},
    "address": {
        "address_1": "1 Taken Street",
        "city": "London",
        "state_province": "England",
        "postal_code": "W1D 3QU",
        "country": "GB",
        "address_type": "physical",
    },
    "accessibility": {"description": "Lift"},
    "service_area": {"name": "Islington", "extent_type": "text", "extent": "Islington"},
    "cost_option": {"option": "Donation"},
    "attribute": {"link_entity": "service", "value": "yes"},
    "service_at_location": {"description": "Moved"},
    "service": {"name": "Moved", "status": "active"},
    "location": {"name": "Moved", "location_type": "physical", "latitude": 51.5, "longitude": -0.1},
}


def own_record_id(mine: Listing, table: str) -> str:
    """The id of one of the partner's stored records of this table."""
    service, location = mine.service, mine.location
    return {
        "phone": service["phones"][0]["id"],
        "schedule": service["schedules"][0]["id"],
        "language": service["languages"][0]["id"],
        "contact": service["contacts"][0]["id"],
        "address": location["addresses"][0]["id"],
        "accessibility": location["accessibility"][0]["id"],
        "service_area": service["service_areas"][0]["id"],
        "cost_option": service["cost_options"][0]["id"],
        "attribute": service["attributes"][0]["id"],
        "service_at_location": mine.link["id"],
        "service": service["id"],
        "location": location["id"],
    }[table]


def import_rows(world: World) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield (table, column, row) for every parent column of every table, new rows and stored ones."""
    models = {mapper.class_.__tablename__: mapper.class_ for mapper in Base.registry.mappers}
    app = world.admin.client.application
    for table, values in ROW_VALUES.items():
        for column in parent_columns(models[table]):
            if column == "link_entity":
                continue  # a file's link_entity only says which table link_id names
            for record_id in (str(uuid.uuid4()), own_record_id(world.mine, table)):
                row = {"id": record_id, **values, column: foreign_value(column, "service", world.theirs)}
                if table == "attribute":
                    row["taxonomy_term_id"] = term_id(app, "free")
                if table == "service_at_location":
                    row = {
                        "service_id": world.mine.service["id"],
                        "location_id": world.mine.location["id"],
                        **row,
                    }
                yield table, column, row


def test_no_imported_row_names_another_organisations_record(world: World) -> None:
    before = world.snapshot()
    tried = 0
    for table, column, row in import_rows(world):
        response = post_import(world.admin, zipped_csv(table, [row]), "application/zip")
        assert response.status_code == 422, (table, column, row, response.get_json())
        where = f"{table_files()[table]}:2/{column}"
        assert where in response.get_json()["errors"], (where, response.get_json())
        tried += 1
    assert tried >= 48
    assert world.snapshot() == before


def test_a_missing_parent_and_another_partners_parent_get_the_same_answer(world: World) -> None:
    row = {"id": str(uuid.uuid4()), "number": "+44 20 7946 0555"}
    theirs = post_import(
        world.admin,
        zipped_csv("phone", [{**row, "service_id": world.theirs.service["id"]}]),
        "application/zip",
    )
    missing = post_import(
        world.admin, zipped_csv("phone", [{**row, "service_id": str(uuid.uuid4())}]), "application/zip"
    )
    assert theirs.status_code == missing.status_code == 422
    assert theirs.get_json()["errors"] == missing.get_json()["errors"]
    own = post_import(
        world.admin, zipped_csv("phone", [{**row, "service_id": world.mine.service["id"]}]), "application/zip"
    )
    assert own.status_code == 200, own.get_json()


def without_read_only(item: Any) -> Any:
    """A nested admin document as a file carries it: no nested parent objects or terms."""
    if isinstance(item, list):
        return [without_read_only(value) for value in item]
    if isinstance(item, dict):
        return {
            key: without_read_only(value)
            for key, value in item.items()
            if key not in {"location", "service", "taxonomy_term", "version"}
        }
    return item


@pytest.mark.parametrize("kind", ["service", "location"])
def test_no_nested_parent_id_in_an_imported_document_reaches_another_organisation(
    world: World, kind: str
) -> None:
    before = world.snapshot()
    document = stored(world, kind)
    tried = 0
    for pointer, column, value in attacks(kind, document, world.theirs):
        if column == "link_entity":
            continue  # a file's link_entity only says which table link_id names
        key = pointer.split("/")[1]
        changed = with_value(document, pointer, column, value)
        record = {"id": document["id"], key: without_read_only(changed[key])}
        body = {"id": world.mine.organization_id, f"{kind}s": [record]}
        response = post_import(world.admin, json.dumps([body]).encode(), "application/json")
        assert response.status_code == 422, (pointer, column, response.get_json())
        assert f"/0/{kind}s/0{pointer}/{column}" in response.get_json()["errors"], (
            pointer,
            column,
            response.get_json(),
        )
        tried += 1
    assert tried >= 20
    assert world.snapshot() == before


# Internal columns: every model column missing from the admin documents is the server's to set.


def documented(schema: Schema) -> set[str]:
    return {name for name, field in schema.fields.items() if (field.attribute or name) == name}


def server_columns(node: Node, schema: Schema, path: str = "") -> Iterator[tuple[str, Node, str]]:
    """Yield (pointer of a record, node, column) for every column its admin document does not show."""
    for column in node.model.__table__.columns:
        if column.key not in documented(schema):
            yield path, node, column.key
    for key, child in node.children.items():
        field = schema.fields[key]
        inner = field.inner if isinstance(field, fields.List) else field
        child_schema = inner.schema if isinstance(inner, fields.Nested) else None
        if child_schema is None:  # dumped by a method: every column of the child model is shown
            continue
        yield from server_columns(child, child_schema, f"{path}/{key}/0")


def sample(node: Node, column: str) -> Any:
    column_type = node.model.__table__.columns[column].type
    if isinstance(column_type, UTCDateTime):
        return "2020-01-01T00:00:00Z"
    if isinstance(column_type, Integer):
        return 4242
    if isinstance(column_type, Float):
        return 12.5
    return "set by a client"


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("method", ["PATCH", "PUT", "POST"])
def test_columns_the_server_sets_are_refused_and_what_was_read_is_accepted(
    world: World, kind: str, method: str
) -> None:
    admin = world.admin
    before = world.snapshot()
    document = stored(world, kind)
    source = new_document(world, kind) if method == "POST" else document
    tried: set[str] = set()
    for pointer, node, column in server_columns(KINDS[kind].node, SCHEMAS[kind]):
        if pointer and not item_at_or_none(source, pointer):
            continue
        changed = copy.deepcopy(source)
        (item_at(changed, pointer) if pointer else changed)[column] = sample(node, column)
        if method == "POST":
            response = admin.as_partner("POST", PATHS[kind], json=changed)
        else:
            key = pointer.split("/")[1] if pointer else column
            body = changed if method == "PUT" else {key: changed[key]}
            etag = admin.as_partner("GET", f"{PATHS[kind]}/{document['id']}").headers["ETag"]
            response = admin.as_partner(
                method, f"{PATHS[kind]}/{document['id']}", json=body, headers={"If-Match": etag}
            )
        assert response.status_code == 422, (method, pointer, column, response.get_json())
        errors = response.get_json()["errors"]
        assert "set by the server" in errors.get(f"{pointer}/{column}", ""), (pointer, column, errors)
        tried.add(f"{pointer}/{column}")
    assert (
        tried
        >= {
            "service": {"/search_text", "/row_version", "/service_areas/0/min_latitude", "/phones/0/created"},
            "location": {"/public_latitude", "/public_x", "/modified"},
            "service_at_location": {"/spatial_key", "/row_version", "/phones/0/languages/0/created"},
        }[kind]
    )
    assert world.snapshot() == before
    read = admin.as_partner("GET", f"{PATHS[kind]}/{document['id']}")
    sent_back = admin.as_partner(
        "PUT",
        f"{PATHS[kind]}/{document['id']}",
        json=read.get_json(),
        headers={"If-Match": read.headers["ETag"]},
    )
    assert sent_back.status_code == 200, sent_back.get_json()
    assert sent_back.get_json() == read.get_json()


def item_at_or_none(doc: dict[str, Any], pointer: str) -> Any:
    try:
        return item_at(doc, pointer)
    except (KeyError, IndexError):
        return None


def test_columns_the_server_sets_are_refused_in_imports(world: World) -> None:
    before = world.snapshot()
    tried = 0
    for kind in KINDS:
        for _pointer, node, column in server_columns(KINDS[kind].node, SCHEMAS[kind]):
            table = node.model.__tablename__
            if table not in ROW_VALUES:
                continue
            row = {"id": own_record_id(world.mine, table), column: sample(node, column)}
            if table == "attribute":
                row.update(link_entity="service", link_id=world.mine.service["id"])
            response = post_import(world.admin, zipped_csv(table, [row]), "application/zip")
            assert response.status_code == 422, (table, column, response.get_json())
            errors = response.get_json()["errors"]
            assert "set by the server" in errors.get(f"{table_files()[table]}:2/{column}", ""), errors
            tried += 1
    assert tried >= 20
    assert world.snapshot() == before


def test_a_spatial_key_sent_by_a_partner_leaves_search_working(world: World) -> None:
    admin, mine = world.admin, world.mine
    etag = admin.as_partner("GET", f"/service_at_locations/{mine.link['id']}").headers["ETag"]
    response = admin.as_partner(
        "PATCH",
        f"/service_at_locations/{mine.link['id']}",
        json={"spatial_key": 1},
        headers={"If-Match": etag},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"/spatial_key": "is set by the server; leave it out"}
    found = admin.client.get("/api/v1/services?lat=51.5136&lng=-0.1365&radius_km=1&per_page=50").get_json()
    assert mine.service["id"] in [item["id"] for item in found["contents"]]


# Keys for deactivated partners.


def test_no_key_is_issued_for_a_deactivated_partner(seeded_app: Flask) -> None:
    admin = make_admin(seeded_app)
    etag = admin.as_operator("GET", f"/partners/{admin.partner_id}").headers["ETag"]
    off = admin.as_operator(
        "PATCH", f"/partners/{admin.partner_id}", json={"active": False}, headers={"If-Match": etag}
    )
    assert off.status_code == 200
    keys_before = admin.as_operator("GET", "/keys").get_json()["total_items"]
    refused = admin.as_operator(
        "POST", "/keys", json={"role": "partner", "partner_id": str(admin.partner_id)}
    )
    assert refused.status_code == 422
    assert "deactivated" in refused.get_json()["errors"]["/partner_id"]
    cli = seeded_app.test_cli_runner().invoke(args=["keys", "issue", "--partner", str(admin.partner_id)])
    assert cli.exit_code != 0 and "deactivated" in cli.output
    assert admin.as_operator("GET", "/keys").get_json()["total_items"] == keys_before
    with seeded_app.app_context():
        assert get_session().get_one(Partner, admin.partner_id).active is False
    etag = off.headers["ETag"]
    on = admin.as_operator(
        "PATCH", f"/partners/{admin.partner_id}", json={"active": True}, headers={"If-Match": etag}
    )
    assert on.status_code == 200
    issued = admin.as_operator("POST", "/keys", json={"role": "partner", "partner_id": str(admin.partner_id)})
    assert issued.status_code == 201
