"""Only vetted, current listings are public; stale ones are marked; confidential places stay hidden."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services_api.models import Location, Service, VettingStatus, utcnow
from tests.factories import shows

PUBLIC_LISTS = (
    "/api/v1/services?full=true",
    "/api/v1/service_at_locations?full=true",
    "/api/v1/organizations?full=true&full_service=true",
)


def _crawl_public_output(client: FlaskClient) -> str:
    """Return the text of every public list page and every record's detail page."""
    texts = []
    for path in PUBLIC_LISTS:
        body = client.get(f"{path}&per_page=100").get_json()
        texts.append(json.dumps(body))
        base = path.split("?")[0]
        for item in body["contents"]:
            texts.append(client.get(f"{base}/{item['id']}").get_data(as_text=True))
    return "\n".join(texts)


def _public_service_ids(client: FlaskClient) -> set[str]:
    body = client.get("/api/v1/services?per_page=100").get_json()
    assert body["total_items"] <= 100
    return {item["id"] for item in body["contents"]}


def test_only_vetted_services_are_public(client: FlaskClient, db: Session) -> None:
    public = _public_service_ids(client)
    for service in db.scalars(select(Service)):
        if service.vetting_status != VettingStatus.VETTED:
            assert str(service.id) not in public
            assert client.get(f"/api/v1/services/{service.id}").status_code == 404
    assert public


def test_unvetted_services_never_appear_nested(client: FlaskClient, db: Session) -> None:
    hidden = db.scalars(select(Service).where(Service.vetting_status != VettingStatus.VETTED)).all()
    assert hidden, "the demo directory should hold pending and suspended listings"
    text = _crawl_public_output(client)
    for service in hidden:
        assert str(service.id) not in text
        assert service.name not in text


def test_suspending_a_listing_removes_it_from_the_next_request(client: FlaskClient, db: Session) -> None:
    service_id = sorted(_public_service_ids(client))[0]
    service = db.get(Service, uuid.UUID(service_id))
    assert service is not None
    service.vetting_status = VettingStatus.SUSPENDED.value
    db.commit()
    assert service_id not in _public_service_ids(client)
    assert client.get(f"/api/v1/services/{service_id}").status_code == 404


def test_stale_listing_carries_a_visible_marker(client: FlaskClient, db: Session, seeded_app: Flask) -> None:
    stale_after = seeded_app.config["STALE_AFTER_DAYS"]
    services = client.get("/api/v1/services?per_page=100").get_json()["contents"]
    stale = [item for item in services if item["stale"]]
    fresh = [item for item in services if not item["stale"]]
    assert stale and fresh
    for item in stale:
        service = db.get(Service, uuid.UUID(item["id"]))
        assert service is not None and service.last_verified_at is not None
        assert service.last_verified_at < utcnow() - timedelta(days=stale_after)
        assert item["alert"].startswith("Not confirmed by its provider since")
        assert client.get(f"/api/v1/services/{item['id']}").get_json()["stale"] is True


def test_listing_unconfirmed_past_the_hide_limit_leaves_public_output(
    client: FlaskClient, db: Session, seeded_app: Flask
) -> None:
    hide_after = seeded_app.config["HIDE_AFTER_DAYS"]
    public = _public_service_ids(client)
    service = db.get(Service, uuid.UUID(sorted(public)[0]))
    assert service is not None
    service.last_verified_at = utcnow() - timedelta(days=hide_after + 1)
    db.commit()
    assert str(service.id) not in _public_service_ids(client)
    service.last_verified_at = utcnow()
    db.commit()
    assert str(service.id) in _public_service_ids(client)


def test_confidential_locations_never_show_street_address_or_exact_point(
    client: FlaskClient, db: Session
) -> None:
    confidential = db.scalars(select(Location).where(Location.confidential.is_(True))).all()
    assert len(confidential) >= 2
    text = _crawl_public_output(client)
    shown = 0
    for location in confidential:
        assert location.addresses and location.latitude is not None
        for address in location.addresses:
            assert not shows(address.address_1, text)
            assert not shows(address.postal_code, text)
        assert repr(location.latitude) not in text and repr(location.longitude) not in text
        if str(location.id) in text:
            shown += 1
    assert shown >= 2, "confidential locations of vetted services should be listed, coarsened"


def test_confidential_location_shows_its_area_and_a_coarse_point(client: FlaskClient, db: Session) -> None:
    location = db.scalars(select(Location).where(Location.confidential.is_(True))).first()
    assert location is not None
    link = location.service_at_locations[0]
    body = client.get(f"/api/v1/service_at_locations/{link.id}").get_json()
    shown = body["location"]
    assert shown["confidential"] is True
    assert shown["addresses"][0]["city"] == location.addresses[0].city
    assert shown["addresses"][0]["address_1"] == ""
    assert "transportation" not in shown
    assert abs(shown["latitude"] - location.latitude) < 0.02
    assert (shown["latitude"], shown["longitude"]) != (location.latitude, location.longitude)


def test_non_confidential_location_shows_its_street_address(client: FlaskClient, db: Session) -> None:
    services = client.get("/api/v1/service_at_locations?per_page=100").get_json()["contents"]
    open_place = next(item for item in services if not item["location"]["confidential"])
    location = db.get(Location, uuid.UUID(open_place["location"]["id"]))
    assert location is not None
    assert open_place["location"]["addresses"][0]["address_1"] == location.addresses[0].address_1
    assert open_place["location"]["latitude"] == location.latitude
