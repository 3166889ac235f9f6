"""The HSDS import names every bad field and writes nothing when any is wrong."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from sqlalchemy import func, select

from services_api.core.hsds.documents import HSDSImportError, import_organizations
from services_api.db import get_session
from services_api.models import Organization, Service
from tests.factories import listing


def _import(app: Flask, documents: list[dict]) -> None:  # type: ignore[type-arg]
    with app.app_context():
        session = get_session()
        import_organizations(session, documents, trusted=True)
        session.commit()


def test_bad_fields_are_named_by_their_path_and_nothing_is_written(app: Flask) -> None:
    document = listing("Clinic", 10.0, 10.0)
    service = document["services"][0]
    service["minimum_age"] = "eighteen"
    del service["name"]
    service["service_areas"] = [
        {"id": "6b0ba1ef-0bd5-4c6b-8a51-7c2b4e1f6f10", "extent": "{not json", "extent_type": "geojson"}
    ]
    document["locations"][0]["confidential"] = "yes"
    with pytest.raises(HSDSImportError) as error:
        _import(app, [document])
    assert set(error.value.problems) == {
        "organizations[0].services[0].minimum_age",
        "organizations[0].services[0].name",
        "organizations[0].services[0].service_areas[0].extent",
        "organizations[0].locations[0].confidential",
    }
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Organization)) == 0


def test_partners_cannot_set_vetting_fields_through_an_untrusted_import(app: Flask) -> None:
    document = listing("Clinic", 10.0, 10.0, vetting_status="vetted")
    with app.app_context():
        session = get_session()
        import_organizations(session, [document], trusted=False)
        session.commit()
        service = session.scalars(select(Service)).one()
        assert service.vetting_status == "pending" and service.last_verified_at is None


def test_service_area_bounds_follow_the_extent(app: Flask) -> None:
    document = listing("Outreach", 10.0, 10.0)
    circle = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [10.0, 10.0]},
        "properties": {"radius_km": 5},
    }
    document["services"][0]["service_areas"] = [
        {"id": "0f0ba1ef-0bd5-4c6b-8a51-7c2b4e1f6f10", "extent": json.dumps(circle), "extent_type": "geojson"}
    ]
    _import(app, [document])
    with app.app_context():
        area = get_session().scalars(select(Service)).one().service_areas[0]
        assert area.min_latitude == pytest.approx(10 - 0.045, abs=0.001)
        assert area.max_longitude == pytest.approx(10 + 0.0457, abs=0.001)
