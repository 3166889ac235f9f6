"""Search results a person can act on: open means open, the details to decide and go, ids that resolve.

Issue 12, items 3, 4 and 6: `open_now`/`open_at` leave out services that are not `active`, and every
result says whether it is open now; brief results carry phones, today's hours, address, languages
and terms; a service-area match's id resolves at /service_at_locations/{id}; and attributes attached
to a location count for the `category` and `attribute` filters.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from services_api.db import get_session
from services_api.models import Attribute, TaxonomyTerm
from tests.factories import import_listings, listing, place_index_differences, shows

POINT = (-17.7134, 178.065)  # Fiji: no demo listing nearby
NEAR = f"lat={POINT[0]}&lng={POINT[1]}&radius_km=5"
ALWAYS = {"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": "00:00", "closes_at": "00:00"}
NEVER_TODAY: list[dict[str, Any]] = []  # no schedule: hours unknown


def _with_ids(node: Any) -> Any:
    """Give every nested record of a document an id, as the import needs."""
    if isinstance(node, list):
        for item in node:
            if isinstance(item, dict):
                item.setdefault("id", str(uuid.uuid4()))
            _with_ids(item)
    elif isinstance(node, dict):
        for value in node.values():
            _with_ids(value)
    return node


def _import(app: Flask, documents: list[dict[str, Any]]) -> None:
    import_listings(app, _with_ids(documents))


def _with_status(document: dict[str, Any], status: str) -> dict[str, Any]:
    document["services"][0]["status"] = status
    return document


def _names(client: FlaskClient, path: str) -> list[str]:
    body = client.get(path).get_json()
    assert "contents" in body, body
    return sorted(item["service"]["name"] if "service" in item else item["name"] for item in body["contents"])


def _term_id(app: Flask, code: str) -> uuid.UUID:
    with app.app_context():
        return get_session().scalars(select(TaxonomyTerm.id).where(TaxonomyTerm.code == code)).one()


@pytest.fixture
def statuses(seeded_app: Flask) -> FlaskClient:
    """Four listings in Fiji open around the clock but for their status, and one without hours."""
    _import(
        seeded_app,
        [
            listing("Open clinic", *POINT, schedules=[dict(ALWAYS)]),
            _with_status(
                listing("Closed for now clinic", POINT[0], 178.066, schedules=[dict(ALWAYS)]),
                "temporarily closed",
            ),
            _with_status(listing("Inactive clinic", POINT[0], 178.067, schedules=[dict(ALWAYS)]), "inactive"),
            listing("Unknown hours clinic", POINT[0], 178.068, schedules=NEVER_TODAY),
        ],
    )
    return seeded_app.test_client()


@pytest.mark.parametrize("endpoint", ["services", "service_at_locations"])
def test_open_now_and_open_at_leave_out_services_that_are_not_active(
    statuses: FlaskClient, endpoint: str
) -> None:
    everything = _names(statuses, f"/api/v1/{endpoint}?{NEAR}")
    assert "Closed for now clinic" in everything and "Inactive clinic" in everything
    assert _names(statuses, f"/api/v1/{endpoint}?{NEAR}&open_now=true") == ["Open clinic"]
    assert _names(statuses, f"/api/v1/{endpoint}?{NEAR}&open_at=2026-12-02T11:00:00") == ["Open clinic"]
    by_name = _names(statuses, f"/api/v1/{endpoint}?open_now=true&per_page=100")
    assert "Open clinic" in by_name
    assert not {"Closed for now clinic", "Inactive clinic", "Unknown hours clinic"} & set(by_name)


@pytest.mark.parametrize("endpoint", ["services", "service_at_locations"])
@pytest.mark.parametrize("shape", ["", "&full=true"])
def test_every_result_says_whether_it_is_open_now(statuses: FlaskClient, endpoint: str, shape: str) -> None:
    body = statuses.get(f"/api/v1/{endpoint}?{NEAR}{shape}").get_json()
    state = {
        (item["service"]["name"] if "service" in item else item["name"]): item["open_now"]
        for item in body["contents"]
    }
    assert state == {
        "Open clinic": True,
        "Closed for now clinic": False,
        "Inactive clinic": False,
        "Unknown hours clinic": None,
    }


def _actionable(app: Flask, *, confidential: bool = False) -> dict[str, Any]:
    """A listing with a phone, a language, hours in Fiji's time, a category and an access term."""
    document = listing(
        "Harbour drop-in",
        *POINT,
        confidential=confidential,
        time_zone="Pacific/Fiji",
        schedules=[
            {"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": "09:30", "closes_at": "17:00"}
        ],
    )
    service = document["services"][0]
    service["phones"] = [
        {"number": "+679 555 0101", "type": "voice", "languages": [{"code": "fj", "name": "Fijian"}]}
    ]
    service["languages"] = [{"code": "en", "name": "English"}]
    service["attributes"] = [
        {"taxonomy_term_id": str(_term_id(app, "hiv"))},
        {"taxonomy_term_id": str(_term_id(app, "no-id-required"))},
    ]
    _import(app, [document])
    return document


def _check_actionable(item: dict[str, Any], document: dict[str, Any]) -> None:
    assert item["phone_numbers"] == [
        {"number": "+6795550101", "display_number": "+679 555 0101", "type": "voice"}
    ]
    assert item["languages_spoken"] == [{"code": "en", "name": "English"}, {"code": "fj", "name": "Fijian"}]
    assert [term["code"] for term in item["categories"]] == ["hiv"]
    assert [term["code"] for term in item["access_and_safety"]] == ["no-id-required"]
    assert all(term["name"] for term in item["categories"] + item["access_and_safety"])
    today = datetime.now(UTC).astimezone(ZoneInfo("Pacific/Fiji")).date().isoformat()
    assert item["hours_today"] == {
        "date": today,
        "time_zone": "Pacific/Fiji",
        "hours": [{"opens_at": "09:30", "closes_at": "17:00"}],
    }
    assert isinstance(item["open_now"], bool)
    assert item["distance_km"] == 0.0


def test_brief_results_carry_what_a_person_needs_to_decide_and_go(seeded_app: Flask) -> None:
    document = _actionable(seeded_app)
    client = seeded_app.test_client()
    service = client.get(f"/api/v1/services?{NEAR}").get_json()["contents"][0]
    _check_actionable(service, document)
    assert service["name"] == "Harbour drop-in" and service["description"]
    assert service["organization"]["name"] == "Harbour drop-in organisation"
    street = document["locations"][0]["addresses"][0]["address_1"]
    assert service["location"]["addresses"][0]["address_1"] == street
    assert service["location"]["id"] == document["locations"][0]["id"]
    place = client.get(f"/api/v1/service_at_locations?{NEAR}").get_json()["contents"][0]
    _check_actionable(place, document)
    assert place["service"]["organization"]["name"] == "Harbour drop-in organisation"
    assert place["location"]["addresses"][0]["address_1"] == street
    by_name = client.get("/api/v1/services?search=harbour%20drop").get_json()["contents"]
    assert by_name[0]["location"]["addresses"][0]["address_1"] == street


def test_a_confidential_place_shows_only_its_area_in_brief_results(seeded_app: Flask) -> None:
    document = _actionable(seeded_app, confidential=True)
    address = document["locations"][0]["addresses"][0]
    client = seeded_app.test_client()
    for path in ("services", "service_at_locations"):
        for query in (NEAR, "search=harbour%20drop"):
            text = client.get(f"/api/v1/{path}?{query}").get_data(as_text=True)
            assert "Harbour drop-in" in text
            assert not shows(address["address_1"], text) and not shows(address["postal_code"], text)
            assert "Testville" in text  # the area stays
            assert not shows(str(POINT[1]), text)


def test_minimal_results_keep_their_shape(seeded_app: Flask) -> None:
    _actionable(seeded_app)
    item = seeded_app.test_client().get(f"/api/v1/services?{NEAR}&minimal=true").get_json()["contents"][0]
    assert set(item) == {"id", "name", "status", "last_modified", "distance_km", "match", "beyond_radius"}


def _area_listing() -> dict[str, Any]:
    """An outreach service in Fiji known only by the area it covers."""
    document = listing("Fiji outreach", *POINT)
    service = document["services"][0]
    service["service_at_locations"] = []
    west, south, east, north = 177.9, -17.9, 178.3, -17.5
    polygon = {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }
    service["service_areas"] = [
        {
            "id": str(uuid.uuid4()),
            "name": "Western Viti Levu",
            "extent": json.dumps(polygon),
            "extent_type": "geojson",
        }
    ]
    document["locations"] = []
    return document


def test_a_service_area_match_resolves_at_its_detail_endpoint(seeded_app: Flask) -> None:
    document = _area_listing()
    _import(seeded_app, [document])
    client = seeded_app.test_client()
    found = client.get(f"/api/v1/service_at_locations?{NEAR}").get_json()["contents"]
    match = next(item for item in found if item["match"] == "service_area")
    assert match["id"] == document["services"][0]["service_areas"][0]["id"]
    detail = client.get(f"/api/v1/service_at_locations/{match['id']}")
    assert detail.status_code == 200, detail.get_json()
    body = detail.get_json()
    assert body["id"] == match["id"] and body["match"] == "service_area"
    assert body["service_id"] == document["services"][0]["id"]
    assert body["service"]["name"] == "Fiji outreach" and body["service_area"]["name"] == "Western Viti Levu"
    by_service = client.get(f"/api/v1/services?{NEAR}").get_json()["contents"]
    area_id = next(item["service_area_id"] for item in by_service if item["name"] == "Fiji outreach")
    assert client.get(f"/api/v1/service_at_locations/{area_id}").status_code == 200


def test_a_hidden_services_area_does_not_resolve(seeded_app: Flask) -> None:
    document = _area_listing()
    document["services"][0]["vetting_status"] = "pending"
    _import(seeded_app, [document])
    area_id = document["services"][0]["service_areas"][0]["id"]
    assert seeded_app.test_client().get(f"/api/v1/service_at_locations/{area_id}").status_code == 404


def _at_location(app: Flask, code: str) -> dict[str, Any]:
    """Two Fiji places of one organisation; the first location carries the term, its service does not."""
    document = listing("Tagged place clinic", *POINT)
    document["locations"][0]["attributes"] = [{"taxonomy_term_id": str(_term_id(app, code))}]
    _import(app, [document, listing("Untagged clinic", POINT[0], 178.066)])
    return document


FILTERED = [
    ("services", NEAR),
    ("service_at_locations", NEAR),
    ("services", "per_page=100"),
    ("service_at_locations", "per_page=100"),
]


@pytest.mark.parametrize(("endpoint", "where"), FILTERED)
@pytest.mark.parametrize(
    ("parameter", "code"), [("attribute", "wheelchair-accessible"), ("category", "refuge")]
)
def test_location_attributes_count_for_category_and_attribute_filters(
    seeded_app: Flask, endpoint: str, where: str, parameter: str, code: str
) -> None:
    _at_location(seeded_app, code)
    names = _names(seeded_app.test_client(), f"/api/v1/{endpoint}?{where}&{parameter}={code}")
    assert "Tagged place clinic" in names and "Untagged clinic" not in names


def test_the_place_index_follows_a_locations_attributes(seeded_app: Flask) -> None:
    document = _at_location(seeded_app, "walk-in")
    client = seeded_app.test_client()
    untagged = f"/api/v1/service_at_locations?{NEAR}&attribute=free"
    assert _names(client, untagged) == []
    with seeded_app.app_context():
        session = get_session()
        attribute = Attribute(
            link_id=uuid.UUID(document["locations"][0]["id"]),
            link_entity="location",
            taxonomy_term_id=_term_id(seeded_app, "free"),
        )
        session.add(attribute)
        session.commit()
        attribute_id = attribute.id
        if session.get_bind().dialect.name == "postgresql":
            assert place_index_differences(session) == 0
    assert _names(client, untagged) == ["Tagged place clinic"]
    with seeded_app.app_context():
        session = get_session()
        session.delete(session.get(Attribute, attribute_id))
        session.commit()
    assert _names(client, untagged) == []
    assert _names(client, f"/api/v1/service_at_locations?{NEAR}&attribute=walk-in") == ["Tagged place clinic"]
