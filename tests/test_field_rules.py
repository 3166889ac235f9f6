"""Field rules a partner can trust: the same checks on admin edits, JSON and CSV imports and the CLI.

Names are not blank, e-mail addresses are e-mail addresses, web addresses are http(s), phone numbers
are stored in E.164 (read in the listing's country, kept as typed for display), schedules follow
RFC 5545, languages are ISO 639 and time zones IANA. A refusal is a 422 naming the field, and
nothing is stored.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from services_api import create_app
from services_api.config import ConfigError
from services_api.db import get_session
from services_api.migrate import alembic_config
from services_api.models import Organization, Phone, Service
from tests.admin_helpers import Admin, make_admin, new_location, new_service

SEED_DATA = Path(__file__).resolve().parents[1] / "seed_data"


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


def service_count(app: Flask) -> int:
    with app.app_context():
        return int(get_session().scalar(select(func.count(Service.id))) or 0)


def assert_refused(response: Any, pointer: str, words: str = "") -> dict[str, Any]:
    body: dict[str, Any] = response.get_json()
    assert response.status_code == 422, body
    assert pointer in body["errors"], body
    assert words in str(body["errors"][pointer]), body
    return body


# (the field in a new service, its bad value, the JSON pointer named, a word of the message)
BAD_SERVICE_FIELDS = [
    ({"name": ""}, "/name", "blank"),
    ({"name": "   \t"}, "/name", "blank"),
    ({"email": "not-an-email"}, "/email", "e-mail"),
    ({"email": "desk@localhost"}, "/email", "e-mail"),
    ({"url": "javascript:alert(1)"}, "/url", "http"),
    ({"url": "ftp://example.org/file"}, "/url", "http"),
    ({"url": "https://"}, "/url", "http"),
    ({"phones": [{"number": "call us"}]}, "/phones/0/number", "phone number"),
    ({"phones": [{"number": "+44 20 7946"}]}, "/phones/0/number", "valid"),
    (
        {"phones": [{"number": "+44 20 7946 0000", "display_number": "+44 20 7946 0999"}]},
        "/phones/0/display_number",
        "same number",
    ),
    ({"schedules": [{"freq": "WEEKLY", "byday": "XX,Monday"}]}, "/schedules/0/byday", "MO,TU"),
    ({"schedules": [{"freq": "DAILY"}]}, "/schedules/0/freq", "WEEKLY"),
    ({"schedules": [{"freq": "WEEKLY", "byday": "1MO"}]}, "/schedules/0/byday", "MONTHLY"),
    ({"schedules": [{"byday": "MO"}]}, "/schedules/0/freq", "required"),
    ({"schedules": [{"freq": "WEEKLY", "opens_at": "09:00"}]}, "/schedules/0/closes_at", "required"),
    (
        {"schedules": [{"freq": "WEEKLY", "valid_from": "2027-02-01", "valid_to": "2027-01-01"}]},
        "/schedules/0/valid_to",
        "valid_from",
    ),
    ({"schedules": [{"freq": "MONTHLY", "bymonthday": "0,32"}]}, "/schedules/0/bymonthday", "1 to 31"),
    ({"schedules": [{"freq": "WEEKLY", "interval": 0}]}, "/schedules/0/interval", "1 or more"),
    ({"schedules": [{"freq": "WEEKLY", "wkst": "XX"}]}, "/schedules/0/wkst", "MO"),
    ({"languages": [{"name": "English", "code": "english"}]}, "/languages/0/code", "ISO 639"),
    ({"languages": [{"name": "Nowhere", "code": "qqx"}]}, "/languages/0/code", "ISO 639"),
    ({"languages": [{"name": " ", "code": "en"}]}, "/languages/0/name", "blank"),
    ({"contacts": [{"name": "Desk", "email": "desk@"}]}, "/contacts/0/email", "e-mail"),
]


@pytest.mark.parametrize(("fields", "pointer", "words"), BAD_SERVICE_FIELDS)
def test_a_new_service_with_a_bad_field_gets_422_naming_it_and_nothing_is_stored(
    admin: Admin, fields: dict[str, Any], pointer: str, words: str
) -> None:
    before = service_count(admin.client.application)
    assert_refused(admin.as_partner("POST", "/services", json=new_service(**fields)), pointer, words)
    assert service_count(admin.client.application) == before


def test_put_and_patch_are_checked_the_same_way(admin: Admin) -> None:
    created = admin.as_partner("POST", "/services", json=new_service())
    service, etag = created.get_json(), created.headers["ETag"]
    path = f"/services/{service['id']}"
    patched = admin.as_partner("PATCH", path, json={"name": " "}, headers={"If-Match": etag})
    assert_refused(patched, "/name", "blank")
    replaced = admin.as_partner(
        "PUT", path, json={**new_service(), "url": "javascript:alert(1)"}, headers={"If-Match": etag}
    )
    assert_refused(replaced, "/url", "http")
    assert admin.as_partner("GET", path).headers["ETag"] == etag  # nothing written


def test_locations_and_their_nested_records_are_checked(admin: Admin) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": ""}, "/name"),
        ({"time_zone": "Mars/Olympus_Mons"}, "/time_zone"),
        ({"time_zone": "Europe/../London"}, "/time_zone"),
        ({"url": "data:text/html,hello"}, "/url"),
        ({"accessibility": [{"url": "javascript:void(0)"}]}, "/accessibility/0/url"),
        ({"phones": [{"number": "12"}]}, "/phones/0/number"),
        ({"schedules": [{"freq": "WEEKLY", "byday": "MO,Tuesday"}]}, "/schedules/0/byday"),
        ({"contacts": [{"name": "", "email": "desk@example.org"}]}, "/contacts/0/name"),
    ]
    for fields, pointer in cases:
        assert_refused(admin.as_partner("POST", "/locations", json=new_location(**fields)), pointer)


def test_a_service_at_location_is_checked(admin: Admin) -> None:
    service = admin.as_partner("POST", "/services", json=new_service()).get_json()
    place = admin.as_partner("POST", "/locations", json=new_location()).get_json()
    link = {"service_id": service["id"], "location_id": place["id"]}
    refused = admin.as_partner(
        "POST", "/service_at_locations", json={**link, "schedules": [{"freq": "YEARLY"}]}
    )
    assert_refused(refused, "/schedules/0/freq", "WEEKLY")
    created = admin.as_partner(
        "POST", "/service_at_locations", json={**link, "phones": [{"number": "020 7946 0456"}]}
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["phones"][0]["number"] == "+442079460456"  # read in the place's country


def test_phones_are_stored_in_e164_read_in_the_listings_country_and_shown_as_typed(admin: Admin) -> None:
    place = new_location(phones=[{"number": "(02) 5550 1234", "type": "voice"}])
    place["addresses"][0].update(city="Sydney", state_province="NSW", postal_code="2000", country="AU")
    place.update(latitude=-33.87, longitude=151.21, time_zone="Australia/Sydney")
    created = admin.as_partner("POST", "/locations", json=place)
    assert created.status_code == 201, created.get_json()
    phone = created.get_json()["phones"][0]
    assert (phone["number"], phone["display_number"]) == ("+61255501234", "(02) 5550 1234")  # Australia's
    read = admin.as_partner("GET", f"/locations/{created.get_json()['id']}").get_json()
    assert read["phones"][0]["number"] == "+61255501234"


def test_a_short_number_is_kept_as_its_digits_where_it_is_one(admin: Admin) -> None:
    created = admin.as_partner(
        "POST", "/locations", json=new_location(phones=[{"number": "116 123", "type": "voice"}])
    )
    assert created.status_code == 201, created.get_json()
    phone = created.get_json()["phones"][0]
    assert (phone["number"], phone["display_number"]) == ("116123", "116 123")


def test_an_extension_typed_into_the_number_becomes_the_extension(admin: Admin) -> None:
    response = admin.as_partner(
        "POST", "/services", json=new_service(phones=[{"number": "+44 20 7946 0000 ext. 214"}])
    )
    assert response.status_code == 201, response.get_json()
    phone = response.get_json()["phones"][0]
    assert (phone["number"], phone["extension"]) == ("+442079460000", 214)
    conflicting = new_service(phones=[{"number": "+44 20 7946 0000 ext. 214", "extension": 5}])
    assert_refused(admin.as_partner("POST", "/services", json=conflicting), "/phones/0/extension")


def test_a_national_number_without_any_country_is_refused_not_guessed(app: Flask) -> None:
    # A service of an organisation without places, no DEFAULT_COUNTRY: which country is 020 in?
    admin = make_admin(app)
    created = admin.as_partner("POST", "/services", json=new_service(phones=[{"number": "020 7946 0000"}]))
    assert_refused(created, "/phones/0/number", "country code")


def test_default_country_reads_national_numbers(app: Flask, tmp_path: Path) -> None:
    settings = {"APP_ENV": "testing", "DATABASE_URL": app.config["DATABASE_URL"]}
    app = create_app({**settings, "DEFAULT_COUNTRY": "GB", "INSTANCE_PATH": str(tmp_path)})
    admin = make_admin(app)
    created = admin.as_partner("POST", "/services", json=new_service(phones=[{"number": "020 7946 0000"}]))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["phones"][0]["number"] == "+442079460000"


def test_default_country_setting_is_checked_at_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DEFAULT_COUNTRY"):
        create_app({"APP_ENV": "testing", "DEFAULT_COUNTRY": "England", "INSTANCE_PATH": str(tmp_path)})
    app = create_app({"APP_ENV": "testing", "DEFAULT_COUNTRY": "au", "INSTANCE_PATH": str(tmp_path)})
    assert app.config["DEFAULT_COUNTRY"] == "AU"


def test_what_is_read_back_can_be_sent_back_unchanged(admin: Admin) -> None:
    created = admin.as_partner(
        "POST", "/services", json=new_service(phones=[{"number": "+44 (0)20 7946 0000", "type": "voice"}])
    )
    document, etag = created.get_json(), created.headers["ETag"]
    again = admin.as_partner("PUT", f"/services/{document['id']}", json=document, headers={"If-Match": etag})
    assert again.status_code == 200, again.get_json()
    assert again.headers["ETag"] == etag  # nothing changed
    assert again.get_json()["phones"][0]["display_number"] == "+44 (0)20 7946 0000"


def test_good_values_are_stored_normalised(admin: Admin) -> None:
    created = admin.as_partner(
        "POST",
        "/services",
        json=new_service(
            email="Desk@Example.ORG",
            url="https://example.org/clinic",
            languages=[{"name": "Cantonese", "code": "YUE"}, {"name": "English", "code": "en"}],
            schedules=[{"freq": "MONTHLY", "byday": "1MO,-1FR", "opens_at": "10:00", "closes_at": "12:00"}],
        ),
    )
    assert created.status_code == 201, created.get_json()
    service = created.get_json()
    assert service["email"] == "Desk@example.org"
    assert sorted(language["code"] for language in service["languages"]) == ["en", "yue"]
    assert service["schedules"][0]["byday"] == "1MO,-1FR"


def test_partner_names_and_emails_follow_the_same_rules(admin: Admin) -> None:
    for body, pointer in [
        ({"name": "  "}, "/name"),
        ({"name": "Night Harbour", "email": "not-an-email"}, "/email"),
    ]:
        assert_refused(admin.as_operator("POST", "/partners", json=body), pointer)
    listed = admin.as_operator("GET", f"/partners/{admin.partner_id}")
    patched = admin.as_operator(
        "PATCH",
        f"/partners/{admin.partner_id}",
        json={"email": "a@b"},
        headers={"If-Match": listed.headers["ETag"]},
    )
    assert_refused(patched, "/email", "e-mail")


def test_the_cli_refuses_a_bad_partner_email(seeded_app: Flask) -> None:
    result = seeded_app.test_cli_runner().invoke(
        args=["partners", "create", "Night Harbour", "--email", "nope"]
    )
    assert result.exit_code != 0
    assert "--email" in result.output and "e-mail" in result.output


# Imports: the same rules, named by JSON pointer or CSV file and row, all or nothing.


def organisation(partner_id: uuid.UUID, **service_fields: Any) -> dict[str, Any]:
    location = {**new_location(), "id": str(uuid.uuid4())}
    location["addresses"] = [{**location["addresses"][0], "id": str(uuid.uuid4())}]
    service = {**new_service(), "id": str(uuid.uuid4()), **service_fields}
    service["phones"] = [{**phone, "id": str(uuid.uuid4())} for phone in service["phones"]]
    service["schedules"] = [{**item, "id": str(uuid.uuid4())} for item in service["schedules"]]
    return {
        "id": str(partner_id),
        "name": "Imported partner",
        "description": "A partner that imports its listings.",
        "locations": [location],
        "services": [service],
    }


def post_import(admin: Admin, body: bytes, content_type: str, *, key: str | None = None) -> Any:
    return admin.client.post(
        "/api/v1/admin/import",
        data=body,
        headers={**admin.headers(key or admin.partner_key), "Content-Type": content_type},
    )


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"name": ""}, "/0/services/0/name"),
        ({"email": "not-an-email"}, "/0/services/0/email"),
        ({"url": "javascript:alert(1)"}, "/0/services/0/url"),
        (
            {"schedules": [{"id": str(uuid.uuid4()), "freq": "WEEKLY", "byday": "XX,Monday"}]},
            "/0/services/0/schedules/0/byday",
        ),
        ({"phones": [{"id": str(uuid.uuid4()), "number": "not a number"}]}, "/0/services/0/phones/0/number"),
        ({"languages": [{"id": str(uuid.uuid4()), "code": "xx"}]}, "/0/services/0/languages/0/code"),
        (
            {
                "schedules": [
                    {
                        "id": str(uuid.uuid4()),
                        "freq": "WEEKLY",
                        "valid_from": "2027-03-01",
                        "valid_to": "2027-01-01",
                    }
                ]
            },
            "/0/services/0/schedules/0/valid_to",
        ),
        ({"schedules": [{"id": str(uuid.uuid4()), "freq": "HOURLY"}]}, "/0/services/0/schedules/0/freq"),
    ],
)
def test_a_json_import_is_checked_by_the_same_rules(
    admin: Admin, fields: dict[str, Any], pointer: str
) -> None:
    before = service_count(admin.client.application)
    body = json.dumps([organisation(admin.partner_id, **fields)]).encode()
    assert_refused(post_import(admin, body, "application/json"), pointer)
    assert service_count(admin.client.application) == before


def test_an_organisation_needs_a_description_as_hsds_and_its_export_do(admin: Admin) -> None:
    before = service_count(admin.client.application)
    document = {**organisation(admin.partner_id), "description": "  "}
    refused = post_import(admin, json.dumps([document]).encode(), "application/json")
    assert_refused(refused, "/0/description", "blank")
    assert service_count(admin.client.application) == before


def test_organisations_stored_with_a_blank_description_get_their_name_by_migration(app: Flask) -> None:
    engine = app.extensions["db_engine"]
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0017")
    with Session(engine) as session, session.begin():
        for number, description in enumerate(["", "   ", "Night shelter and advice"]):
            session.add(Organization(name=f"Organisation {number}", description=description))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT name, description FROM organization ORDER BY name")).all()
    assert [tuple(row) for row in rows] == [
        ("Organisation 0", "Organisation 0"),
        ("Organisation 1", "Organisation 1"),
        ("Organisation 2", "Night shelter and advice"),
    ]


def test_a_json_import_stores_phones_in_e164_read_in_the_places_country(app: Flask) -> None:
    admin = make_admin(app)  # an organisation with no places yet: the file's place decides
    document = organisation(admin.partner_id, phones=[{"id": str(uuid.uuid4()), "number": "020 7946 0321"}])
    response = post_import(admin, json.dumps(document).encode(), "application/json")
    assert response.status_code == 200, response.get_json()
    with admin.client.application.app_context():
        phone = get_session().get_one(Phone, uuid.UUID(document["services"][0]["phones"][0]["id"]))
        assert (phone.number, phone.display_number) == ("+442079460321", "020 7946 0321")


def csv_package(tables: dict[str, list[dict[str, Any]]]) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        for file, rows in tables.items():
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
            package.writestr(file, text.getvalue())
    return archive.getvalue()


def test_a_csv_import_is_checked_by_the_same_rules_and_names_file_and_row(admin: Admin) -> None:
    service_id = str(uuid.uuid4())
    service = {
        "id": service_id,
        "organization_id": str(admin.partner_id),
        "name": "Clinic",
        "status": "active",
    }
    package = csv_package(
        {
            "services.csv": [{**service, "url": "javascript:alert(1)", "email": "x@"}],
            "phones.csv": [{"id": str(uuid.uuid4()), "service_id": service_id, "number": "+44 12"}],
            "schedules.csv": [
                {"id": str(uuid.uuid4()), "service_id": service_id, "freq": "WEEKLY", "byday": "XX,Monday"}
            ],
            "languages.csv": [{"id": str(uuid.uuid4()), "service_id": service_id, "name": "", "code": "xx"}],
            "locations.csv": [
                {
                    "id": str(uuid.uuid4()),
                    "organization_id": str(admin.partner_id),
                    "location_type": "virtual",
                    "name": "Online",
                    "url": "javascript:alert(1)",
                    "time_zone": "London",
                }
            ],
        }
    )
    before = service_count(admin.client.application)
    body = assert_refused(post_import(admin, package, "application/zip"), "services.csv:2/url")
    assert {
        "services.csv:2/email",
        "phones.csv:2/number",
        "schedules.csv:2/byday",
        "languages.csv:2/code",
        "locations.csv:2/url",
        "locations.csv:2/time_zone",
    } <= set(body["errors"]), body
    assert service_count(admin.client.application) == before


def test_a_csv_import_stores_e164_and_the_export_round_trips_it(admin: Admin) -> None:
    service_id, phone_id = str(uuid.uuid4()), str(uuid.uuid4())
    service = {
        "id": service_id,
        "organization_id": str(admin.partner_id),
        "name": "Clinic",
        "status": "active",
    }
    package = csv_package(
        {
            "services.csv": [service],
            "phones.csv": [{"id": phone_id, "service_id": service_id, "number": "+44 20 7946 0654"}],
        }
    )
    assert post_import(admin, package, "application/zip").status_code == 200
    assert post_import(admin, package, "application/zip").get_json()["changed"] == 0  # again: no change
    with admin.client.application.app_context():
        phone = get_session().get_one(Phone, uuid.UUID(phone_id))
        assert (phone.number, phone.display_number) == ("+442079460654", "+44 20 7946 0654")
    exported = {
        "id": phone_id,
        "service_id": service_id,
        "number": "+442079460654",
        "display_number": "+44 20 7946 0654",
    }
    again = post_import(
        admin, csv_package({"services.csv": [service], "phones.csv": [exported]}), "application/zip"
    )
    assert again.status_code == 200 and again.get_json()["changed"] == 0, again.get_json()


def test_the_cli_import_is_checked_too(seeded_app: Flask, tmp_path: Path) -> None:
    admin = make_admin(seeded_app)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(organisation(admin.partner_id, email="not-an-email")))
    result = seeded_app.test_cli_runner().invoke(
        args=["import", str(path), "--partner", str(admin.partner_id)]
    )
    assert result.exit_code != 0
    assert "/services/0/email" in result.output


def test_the_demo_directory_passes_every_rule(db: Any) -> None:
    # The seed imports it through the same rules; every phone is stored in E.164 (no short numbers).
    numbers = list(db.scalars(select(Phone.number)))
    assert numbers and all(number.startswith("+") and number[1:].isdigit() for number in numbers)
    assert all(display for display in db.scalars(select(Phone.display_number)))


def test_the_openapi_document_states_the_rules_of_its_inputs(client: Any) -> None:
    document = client.get("/api/v1/swagger.json").get_json()
    body = document["definitions"]["AdminServiceBody"]["properties"]
    assert body["name"]["minLength"] == 1 and body["name"]["pattern"] == r"\S"
    assert body["email"]["format"] == "email"
    assert body["url"]["pattern"] == r"^https?://\S+$"
    schedule = body["schedules"]["items"]["properties"]
    assert schedule["freq"]["enum"] == ["WEEKLY", "MONTHLY"]
    assert "MO" in schedule["byday"]["pattern"]
    assert body["languages"]["items"]["properties"]["code"]["pattern"] == "^[A-Za-z]{2,3}$"
