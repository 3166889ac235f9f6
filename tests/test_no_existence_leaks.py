"""An id of another organisation's record gets the same answer as an id no record has (issue 13, item 4).

Each probe is sent twice by the first partner: once naming a record of the second partner's, once
naming a random id. The two answers must be the same, status and body, once the id itself is
blanked out, so a partner learns nothing about which ids exist or whose they are.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from tests.admin_helpers import Admin, make_admin, new_location, new_service
from tests.test_admin_listings import mandatory


@dataclass
class Records:
    """One organisation's records, by kind: a vetted service at a location, with a phone and a report."""

    service: str
    location: str
    link: str
    phone: str
    location_phone: str
    report: str


def _records(admin: Admin, send: Callable[..., Any]) -> Records:
    location = send("POST", "/locations", json=new_location(phones=[{"number": "+44 20 7946 0999"}]))
    assert location.status_code == 201, location.get_json()
    service = send("POST", "/services", json=new_service())
    assert service.status_code == 201, service.get_json()
    ids = {"service_id": service.get_json()["id"], "location_id": location.get_json()["id"]}
    link = send("POST", "/service_at_locations", json=ids)
    assert link.status_code == 201, link.get_json()
    approved = admin.as_operator(
        "POST", f"/services/{ids['service_id']}/approve", json={"criteria": mandatory(admin)}
    )
    assert approved.status_code == 200, approved.get_json()
    report = admin.client.post(f"/api/v1/services/{ids['service_id']}/reports", json={"kind": "closed"})
    assert report.status_code in (200, 201), report.get_json()
    return Records(
        service=ids["service_id"],
        location=ids["location_id"],
        link=link.get_json()["id"],
        phone=service.get_json()["phones"][0]["id"],
        location_phone=location.get_json()["phones"][0]["id"],
        report=report.get_json()["id"],
    )


@dataclass
class World:
    admin: Admin
    mine: Records
    theirs: Records


@pytest.fixture
def world(seeded_app: Flask) -> World:
    admin = make_admin(seeded_app)
    return World(admin, _records(admin, admin.as_partner), _records(admin, admin.as_other))


def etag(world: World, path: str) -> str:
    return str(world.admin.as_partner("GET", path).headers["ETag"])


# Each probe: (method, path, body) built from the id to probe and the partner's own records.
Probe = Callable[[str, Records], tuple[str, str, Any]]
PROBES: dict[str, Probe] = {
    "GET service": lambda probe, _mine: ("GET", f"/services/{probe}", None),
    "PATCH service": lambda probe, _mine: ("PATCH", f"/services/{probe}", {"name": "Mine now"}),
    "PUT service": lambda probe, _mine: ("PUT", f"/services/{probe}", new_service()),
    "DELETE service": lambda probe, _mine: ("DELETE", f"/services/{probe}", None),
    "confirm service": lambda probe, _mine: ("POST", f"/services/{probe}/confirm", None),
    "GET location": lambda probe, _mine: ("GET", f"/locations/{probe}", None),
    "PATCH location": lambda probe, _mine: ("PATCH", f"/locations/{probe}", {"name": "Mine now"}),
    "PUT location": lambda probe, _mine: ("PUT", f"/locations/{probe}", new_location()),
    "DELETE location": lambda probe, _mine: ("DELETE", f"/locations/{probe}", None),
    "GET service_at_location": lambda probe, _mine: ("GET", f"/service_at_locations/{probe}", None),
    "PATCH service_at_location": lambda probe, _mine: (
        "PATCH",
        f"/service_at_locations/{probe}",
        {"description": "Mine now"},
    ),
    "DELETE service_at_location": lambda probe, _mine: ("DELETE", f"/service_at_locations/{probe}", None),
    "GET report": lambda probe, _mine: ("GET", f"/reports/{probe}", None),
    "GET partner": lambda probe, _mine: ("GET", f"/partners/{probe}", None),
    "nested phone id (PATCH)": lambda probe, mine: (
        "PATCH",
        f"/services/{mine.service}",
        {"phones": [{"id": probe, "number": "+44 20 7946 0111"}]},
    ),
    "nested phone id (POST)": lambda probe, _mine: (
        "POST",
        "/services",
        new_service(phones=[{"id": probe, "number": "+44 20 7946 0111"}]),
    ),
    "nested location phone id": lambda probe, mine: (
        "PATCH",
        f"/locations/{mine.location}",
        {"phones": [{"id": probe, "number": "+44 20 7946 0111"}]},
    ),
    "nested parent id": lambda probe, mine: (
        "PATCH",
        f"/services/{mine.service}",
        {"phones": [{"number": "+44 20 7946 0111", "location_id": probe}]},
    ),
    "link to a location": lambda probe, mine: (
        "POST",
        "/service_at_locations",
        {"service_id": mine.service, "location_id": probe},
    ),
    "link to a service": lambda probe, mine: (
        "POST",
        "/service_at_locations",
        {"service_id": probe, "location_id": mine.location},
    ),
    "new service's organisation": lambda probe, _mine: (
        "POST",
        "/services",
        new_service(organization_id=probe),
    ),
}
# Which of their records each probe names.
TARGETS: dict[str, Callable[[Records], str]] = {
    "service": lambda records: records.service,
    "location": lambda records: records.location,
    "service_at_location": lambda records: records.link,
    "report": lambda records: records.report,
    "phone": lambda records: records.phone,
    "location phone": lambda records: records.location_phone,
}


def target_of(name: str) -> str:
    if name == "nested location phone id":
        return "location phone"
    if "phone id" in name:
        return "phone"
    if name in ("nested parent id", "link to a location"):
        return "location"
    if name == "link to a service":
        return "service"
    if name == "new service's organisation":
        return "organization"
    return name.split()[-1]


def answer(world: World, name: str, probe: str) -> tuple[int, Any]:
    method, path, body = PROBES[name](probe, world.mine)
    headers = {}
    if method in ("PUT", "PATCH", "DELETE"):
        own = path if probe not in path else None
        headers["If-Match"] = etag(world, own) if own else '"v1"'
    kwargs: dict[str, Any] = {"headers": headers}
    if body is not None:
        kwargs["json"] = body
    response = world.admin.as_partner(method, path, **kwargs)
    text = json.dumps(response.get_json(), sort_keys=True).replace(probe, "<probed id>")
    return response.status_code, json.loads(text)


@pytest.mark.parametrize("name", sorted(PROBES))
def test_another_organisations_id_answers_as_a_missing_one(world: World, name: str) -> None:
    target = target_of(name)
    if target in ("organization", "partner"):
        theirs = str(world.admin.other_partner_id)
    else:
        theirs = TARGETS[target](world.theirs)
    missing = str(uuid.uuid4())
    their_answer = answer(world, name, theirs)
    missing_answer = answer(world, name, missing)
    assert their_answer == missing_answer, (name, their_answer, missing_answer)
    assert their_answer[0] in (403, 404, 422), their_answer
    message = json.dumps(their_answer[1]).lower()
    assert "another organisation" not in message and "belongs to" not in message


def test_an_imported_record_id_of_another_organisation_says_nothing_of_whose_it_is(world: World) -> None:
    document = {
        "id": str(world.admin.partner_id),
        "name": "Mine",
        "services": [{"id": world.theirs.service, "name": "Taken over", "status": "active"}],
    }
    response = world.admin.client.post(
        "/api/v1/admin/import",
        json=[document],
        headers=world.admin.headers(world.admin.partner_key),
    )
    assert response.status_code == 422, response.get_json()
    message = json.dumps(response.get_json()).lower()
    assert "another organisation" not in message and "belongs to" not in message
