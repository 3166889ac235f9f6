"""`seed synthetic` creates N public listings clustered around gazetteer cities, the same ones per seed."""

from __future__ import annotations

import bisect
import math
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, selectinload

from services_api.core.search.text import refresh_search_text
from services_api.core.seeding.synthetic import (
    City,
    Sources,
    Term,
    create_synthetic_listings,
    generate_batches,
    load_sources,
)
from services_api.db import get_session
from services_api.geo.public_point import public_point_columns
from services_api.geo.sphere import Point, distance_km
from services_api.models import (
    Attribute,
    Language,
    Location,
    Organization,
    Place,
    Schedule,
    Service,
    ServiceAtLocation,
)
from tests.factories import place_index_differences

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
SYNTHETIC_SERVICE = Service.name.like("Synthetic %")
SYNTHETIC_LOCATION = Location.name.like("Synthetic site #%")
NEAR_KM = 100.0


def _seed_synthetic(app: Flask, count: int, seed: int) -> str:
    result = app.test_cli_runner().invoke(
        args=["seed", "synthetic", "--locations", str(count), "--seed", str(seed)]
    )
    assert result.exit_code == 0, result.output
    return str(result.output)


def _total(client: FlaskClient) -> int:
    response = client.get("/api/v1/service_at_locations?per_page=1")
    assert response.status_code == 200
    return int(response.get_json()["total_items"])


@pytest.fixture
def synthetic_db(seeded_app: Flask) -> Iterator[Session]:
    """A session on the seeded database after `seed synthetic --locations 1000 --seed 11`."""
    _seed_synthetic(seeded_app, 1000, 11)
    with seeded_app.app_context():
        yield get_session()


def _sources() -> Sources:
    """Hand-made sources, so generator tests need no database."""
    places = [
        (City("London", 51.50853, -0.12574, "Europe/London", 10.0), 8_961_989),
        (City("Suva", -18.14161, 178.44149, "Pacific/Fiji", 3.0), 77_366),
        (City("Longyearbyen", 78.22334, 15.64689, "Arctic/Longyearbyen", 2.0), 2_060),
    ]
    categories = [Term(uuid.UUID(int=n), f"Category {n}", f"category {n}") for n in range(1, 4)]
    access = [Term(uuid.UUID(int=n), f"Access {n}", f"access {n}") for n in range(10, 15)]
    return Sources.of(places, categories, access)


def _flatten(batches: Iterator[dict[str, list[dict[str, Any]]]]) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    for batch in batches:
        for table, table_rows in batch.items():
            rows.setdefault(table, []).extend(table_rows)
    return rows


def test_the_command_creates_exactly_n_public_listings_and_will_not_repeat_a_seed(app: Flask) -> None:
    client = app.test_client()
    assert _total(client) == 0
    output = _seed_synthetic(app, 300, 7)
    assert "Created 300 synthetic listings" in output
    assert _total(client) == 300
    again = _seed_synthetic(app, 300, 7)
    assert "already in the database; nothing created" in again
    assert _total(client) == 300
    _seed_synthetic(app, 40, 8)
    assert _total(client) == 340
    with app.app_context():
        session = get_session()
        assert session.scalar(select(func.count()).select_from(Organization)) == 15 + 2


def test_the_same_seed_gives_the_same_rows_whatever_the_batch_size() -> None:
    sources = _sources()
    first = _flatten(generate_batches(seed=5, count=95, sources=sources, now=NOW, batch_size=1000))
    second = _flatten(generate_batches(seed=5, count=95, sources=sources, now=NOW, batch_size=7))
    other = _flatten(generate_batches(seed=6, count=95, sources=sources, now=NOW))
    assert first == second
    assert len(first["service"]) == len(first["location"]) == len(first["service_at_location"]) == 95
    assert len(first["organization"]) == 5
    assert {row["id"] for row in first["location"]}.isdisjoint({row["id"] for row in other["location"]})
    points = [(row["latitude"], row["longitude"]) for row in first["location"]]
    assert points != [(row["latitude"], row["longitude"]) for row in other["location"]]
    assert all(-89.9 <= latitude <= 89.9 and -180 <= longitude <= 180 for latitude, longitude in points)


def test_the_database_holds_exactly_the_generated_rows(synthetic_db: Session) -> None:
    sources = load_sources(synthetic_db)
    expected = _flatten(generate_batches(seed=11, count=1000, sources=sources, now=NOW))
    stored = synthetic_db.execute(
        select(Location.id, Location.latitude, Location.longitude).where(SYNTHETIC_LOCATION)
    ).all()
    assert sorted(tuple(row) for row in stored) == sorted(
        (row["id"], row["latitude"], row["longitude"]) for row in expected["location"]
    )
    services = synthetic_db.scalars(select(Service.id).where(SYNTHETIC_SERVICE)).all()
    assert sorted(services) == sorted(row["id"] for row in expected["service"])


def test_points_cluster_near_gazetteer_cities(synthetic_db: Session) -> None:
    places = sorted(tuple(row) for row in synthetic_db.execute(select(Place.latitude, Place.longitude)))
    latitudes = [latitude for latitude, _ in places]
    rows = synthetic_db.execute(select(Location.latitude, Location.longitude).where(SYNTHETIC_LOCATION))
    points = [(lat, lng) for lat, lng in rows if lat is not None and lng is not None]
    band = NEAR_KM / 111.0

    def near_a_place(latitude: float, longitude: float) -> bool:
        start = bisect.bisect_left(latitudes, latitude - band)
        stop = bisect.bisect_right(latitudes, latitude + band)
        return any(
            distance_km(Point(latitude, longitude), Point(*place)) <= NEAR_KM for place in places[start:stop]
        )

    near = sum(near_a_place(latitude, longitude) for latitude, longitude in points)
    assert len(points) == 1000
    assert near >= 0.95 * len(points)
    cells = {(math.floor(latitude), math.floor(longitude)) for latitude, longitude in points}
    assert len(cells) >= 100, "spread over many cities, not piled on a few"


def test_listings_are_public_categorised_and_fully_derived(synthetic_db: Session) -> None:
    services = synthetic_db.scalars(
        select(Service)
        .where(SYNTHETIC_SERVICE)
        .options(
            selectinload(Service.organization),
            selectinload(Service.attributes).selectinload(Attribute.taxonomy_term),
            selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.location),
        )
    ).all()
    assert len(services) == 1000
    now = datetime.now(UTC)
    for service in services:
        assert (service.vetting_status, service.status, service.withdrawn_at) == ("vetted", "active", None)
        assert service.last_verified_at is not None
        assert now - timedelta(days=90) <= service.last_verified_at <= now
        terms = [attribute.taxonomy_term for attribute in service.attributes]
        categories = [term for term in terms if term.taxonomy == "sw-categories"]
        assert len(categories) == 1 and categories[0].parent_id is not None
        assert 2 <= len(terms) - 1 <= 4
        assert {term.taxonomy for term in terms} == {"sw-categories", "sw-access-safety"}
        assert service.name.startswith(f"Synthetic {categories[0].name} #")
        stored = service.search_text
        refresh_search_text(service)
        assert service.search_text == stored
        [link] = service.service_at_locations
        location = link.location
        assert location.organization_id == service.organization_id
        assert location.location_type == "physical" and location.time_zone
        assert location.created is not None and location.created.tzinfo is not None
        derived = public_point_columns(location.latitude, location.longitude, location.confidential)
        assert {name: getattr(location, name) for name in derived} == derived
    synthetic_db.rollback()
    confidential = synthetic_db.scalar(select(func.count()).where(SYNTHETIC_LOCATION, Location.confidential))
    assert 5 <= (confidential or 0) <= 40
    schedules = synthetic_db.scalar(
        select(func.count())
        .select_from(Schedule)
        .join(ServiceAtLocation)
        .join(Service)
        .where(SYNTHETIC_SERVICE)
    )
    assert 500 <= (schedules or 0) <= 700
    languages = synthetic_db.scalar(
        select(func.count()).select_from(Language).join(Service).where(SYNTHETIC_SERVICE)
    )
    assert 200 <= (languages or 0) <= 400
    organizations = synthetic_db.scalar(
        select(func.count(func.distinct(Service.organization_id))).where(SYNTHETIC_SERVICE)
    )
    assert organizations == 50


# The SQLite R*Tree (migration 0004): one entry per service-at-location, exact point as auxiliary columns.
PLACE_RTREE_MATCHES = """
    SELECT count(*) FROM service_at_location AS sal
    JOIN location ON location.id = sal.location_id
    JOIN place_rtree ON place_rtree.id = sal.spatial_key
    WHERE location.name LIKE 'Synthetic site #%'
      AND place_rtree.latitude = location.public_latitude
      AND place_rtree.longitude = location.public_longitude"""
PLACE_RTREE_EXPECTED = """
    SELECT count(*) FROM service_at_location AS sal JOIN location ON location.id = sal.location_id
    WHERE location.public_latitude IS NOT NULL"""
POSTGIS_MISSING = """
    SELECT count(*) FROM location
    LEFT JOIN place_index AS p ON p.location_id = location.id
    WHERE location.name LIKE 'Synthetic site #%'
      AND (p.geog IS NULL OR abs(ST_Y(p.geog::geometry) - location.public_latitude) > 1e-9)"""


def _check_sqlite_rtree(session: Session) -> None:
    assert session.scalar(text(PLACE_RTREE_MATCHES)) == 1000
    assert session.scalar(text("SELECT count(*) FROM place_rtree")) == session.scalar(
        text(PLACE_RTREE_EXPECTED)
    )


def test_the_spatial_index_holds_every_location_and_finds_them(
    synthetic_db: Session, seeded_app: Flask
) -> None:
    if synthetic_db.get_bind().dialect.name == "sqlite":
        _check_sqlite_rtree(synthetic_db)
    else:
        assert synthetic_db.scalar(text(POSTGIS_MISSING)) == 0
        assert place_index_differences(synthetic_db) == 0
        assert synthetic_db.scalar(text("SELECT count(*) FROM place_index WHERE terms <> 0")) >= 1000
    sample = synthetic_db.execute(
        select(ServiceAtLocation.id, Location.public_latitude, Location.public_longitude)
        .join(Location)
        .where(SYNTHETIC_LOCATION, Location.confidential.is_(False))
        .order_by(Location.id)
        .limit(5)
    ).all()
    client = seeded_app.test_client()
    for link_id, latitude, longitude in sample:
        response = client.get(
            f"/api/v1/service_at_locations?lat={latitude}&lng={longitude}&radius_km=0.5&per_page=50"
        )
        assert response.status_code == 200
        assert str(link_id) in {item["id"] for item in response.get_json()["contents"]}


def test_core_inserts_in_batches_and_reports_progress(db: Session) -> None:
    progress: list[int] = []
    created = create_synthetic_listings(
        db, count=250, seed=3, now=NOW, batch_size=100, after_batch=progress.append
    )
    db.commit()
    assert created == 250
    assert progress == [100, 200, 250]
    assert db.scalar(select(func.count()).where(SYNTHETIC_SERVICE)) == 250
