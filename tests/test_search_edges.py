"""Search across the antimeridian, near the poles, and privacy of the searcher."""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import import_listings, listing, place_index_differences


def test_radius_search_reaches_across_the_antimeridian(app: Flask, empty_client: FlaskClient) -> None:
    import_listings(
        app,
        [
            listing("East Fiji Clinic", -16.8, 179.95),
            listing("West Fiji Clinic", -16.8, -179.95),
            listing("Far Clinic", -16.8, 178.0),
        ],
    )
    body = empty_client.get("/api/v1/service_at_locations?lat=-16.8&lng=179.99&radius_km=20").get_json()
    names = [item["service"]["name"] for item in body["contents"]]
    assert names == ["East Fiji Clinic", "West Fiji Clinic"]
    assert body["contents"][1]["distance_km"] == pytest.approx(6.388, abs=0.01)


def test_map_box_across_the_antimeridian(app: Flask, empty_client: FlaskClient) -> None:
    import_listings(
        app,
        [
            listing("East Fiji Clinic", -16.8, 179.95),
            listing("West Fiji Clinic", -16.8, -179.95),
            listing("Far Clinic", -16.8, 170.0),
        ],
    )
    body = empty_client.get("/api/v1/service_at_locations?bbox=179.5,-17.5,-179.5,-16.0").get_json()
    assert sorted(item["service"]["name"] for item in body["contents"]) == [
        "East Fiji Clinic",
        "West Fiji Clinic",
    ]
    plain = empty_client.get("/api/v1/service_at_locations?bbox=170,-17.5,179,-16.0").get_json()
    assert [item["service"]["name"] for item in plain["contents"]] == ["Far Clinic"]


def test_search_near_a_pole(app: Flask, empty_client: FlaskClient) -> None:
    import_listings(
        app, [listing("Research Station Clinic", 89.95, 10.0), listing("Other Side Clinic", 89.95, -170.0)]
    )
    body = empty_client.get("/api/v1/services?lat=90&lng=0&radius_km=10").get_json()
    assert body["total_items"] == 2
    assert {item["distance_km"] for item in body["contents"]} == {5.56}


def test_unvetted_listings_are_never_found_by_search(app: Flask, empty_client: FlaskClient) -> None:
    import_listings(
        app,
        [
            listing("Pending Clinic", 10.0, 10.0, vetting_status="pending"),
            listing("Vetted Clinic", 10.0, 10.001),
        ],
    )
    body = empty_client.get("/api/v1/services?lat=10&lng=10&radius_km=5&min_results=5").get_json()
    assert [item["name"] for item in body["contents"]] == ["Vetted Clinic"]


def test_a_point_search_drops_a_listing_at_the_midnight_it_passes_the_hide_limit(
    app: Flask, empty_client: FlaskClient
) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    from services_api.core.directory.visibility import PublicView
    from services_api.db import get_session
    from services_api.models import Service

    import_listings(app, [listing("Edge Clinic", 40.0, 40.0), listing("Fresh Clinic", 40.0, 40.001)])
    first_visible = PublicView.at(
        stale_after_days=1, hide_after_days=app.config["HIDE_AFTER_DAYS"]
    ).hidden_before

    def found_after_confirming_at(moment: datetime) -> list[str]:
        with app.app_context():
            session = get_session()
            edge = session.scalars(select(Service).where(Service.name == "Edge Clinic")).one()
            edge.last_verified_at = moment
            session.commit()
        body = empty_client.get("/api/v1/services?lat=40&lng=40&radius_km=5").get_json()
        return [item["name"] for item in body["contents"]]

    assert found_after_confirming_at(first_visible) == ["Edge Clinic", "Fresh Clinic"]
    assert found_after_confirming_at(first_visible - timedelta(microseconds=1)) == ["Fresh Clinic"]
    assert found_after_confirming_at(first_visible - timedelta(days=400)) == ["Fresh Clinic"]
    assert found_after_confirming_at(first_visible + timedelta(days=1)) == ["Edge Clinic", "Fresh Clinic"]


SEARCHES = (
    "/api/v1/services?lat=51.5137&lng=-0.1312&radius_km=3&category=sexual-health",
    "/api/v1/service_at_locations?near=Manchester&open_now=true",
    "/api/v1/service_at_locations?near=W1D%203QU&radius_km=2&min_results=3",
    "/api/v1/services?postcode=M4%201HN&proximity=1500",
    "/api/v1/service_at_locations?bbox=-0.2,51.45,-0.05,51.55&attribute=free",
    "/api/v1/services?near=Nowhereville-on-Sea",
    "/api/v1/services?lat=95.123&lng=-0.1312",
)
SECRETS = (
    "51.5137",
    "-0.1312",
    "0.1312",
    "Manchester",
    "W1D",
    "M4 1HN",
    "M4%201HN",
    "-0.2,51.45",
    "Nowhereville",
    "95.123",
)


def test_no_log_record_at_any_level_holds_the_searchers_location(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy.engine", "sqlalchemy.pool", "werkzeug", "services_api", "geopy", "urllib3"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        for search in SEARCHES:
            assert client.get(search).status_code in (200, 400, 422)
    finally:
        for name in ("sqlalchemy.engine", "sqlalchemy.pool", "werkzeug", "services_api", "geopy", "urllib3"):
            logging.getLogger(name).setLevel(logging.NOTSET)
    assert caplog.records, "SQLAlchemy logs statements at DEBUG, so records must have been captured"
    logged = "\n".join(f"{record.getMessage()} {record.args!r}" for record in caplog.records)
    for secret in SECRETS:
        assert secret not in logged


def test_no_network_call_leaves_the_machine_during_a_search(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[Any] = []
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def is_local(host: Any) -> bool:
        return isinstance(host, str) and (host.startswith(("127.", "/")) or host in ("::1", "localhost"))

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if not is_local(address[0] if isinstance(address, tuple) else address):
            attempts.append(address)
            raise OSError("network call during a search")
        return real_connect(self, address)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_local(host):
            attempts.append(host)
            raise OSError("name lookup during a search")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    for search in SEARCHES:
        assert client.get(search).status_code in (200, 400, 422)
    assert attempts == []


def test_the_search_index_follows_every_change_at_once(app: Flask, empty_client: FlaskClient) -> None:
    from sqlalchemy import select

    from services_api.db import get_session
    from services_api.models import Location, Service, ServiceAtLocation

    import_listings(app, [listing("Moving Clinic", 20.0, 20.0), listing("Steady Clinic", 20.0, 20.01)])

    def names(lat: float = 20.0, lng: float = 20.0) -> list[str]:
        with app.app_context():
            session = get_session()
            if session.get_bind().dialect.name == "postgresql":
                assert place_index_differences(session) == 0
        body = empty_client.get(f"/api/v1/service_at_locations?lat={lat}&lng={lng}&radius_km=5").get_json()
        return [item["service"]["name"] for item in body["contents"]]

    assert names() == ["Moving Clinic", "Steady Clinic"]
    with app.app_context():
        session = get_session()
        steady = session.scalars(select(Service).where(Service.name == "Steady Clinic")).one()
        steady.vetting_status = "suspended"
        session.commit()
    assert names() == ["Moving Clinic"]
    with app.app_context():
        session = get_session()
        moving = session.scalars(select(Location).where(Location.name == "Moving Clinic place")).one()
        moving.latitude, moving.longitude = 30.0, 30.0
        session.commit()
    assert names() == []
    assert names(30.0, 30.0) == ["Moving Clinic"]
    with app.app_context():
        session = get_session()
        for link in session.scalars(select(ServiceAtLocation)):
            session.delete(link)
        session.commit()
    assert names(30.0, 30.0) == []


@pytest.mark.skipif(os.environ.get("TEST_DATABASE_URL") is not None, reason="SQLite's index only")
def test_index_triggers_use_indexes_even_after_statistics_on_tiny_tables(app: Flask) -> None:
    from sqlalchemy import text

    from services_api.db import get_session
    from services_api.migrate import MIGRATIONS_DIR

    path = MIGRATIONS_DIR / "versions" / "0004_place_search_index.py"
    spec = importlib.util.spec_from_file_location("migration_0004", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    import_listings(app, [listing("Only Clinic", 1.0, 1.0)])
    with app.app_context():
        session = get_session()
        session.execute(text("ANALYZE"))
        for where, index in (
            ("sal.id = 'x'", migration.BY_ID),
            ("sal.location_id = 'x'", migration.BY_LOCATION),
            ("sal.service_id = 'x'", migration.BY_SERVICE),
        ):
            plan = session.execute(text("EXPLAIN QUERY PLAN " + migration.place_source(where, index))).all()
            steps = " | ".join(str(row[-1]) for row in plan)
            assert "SCAN" not in steps, steps


@pytest.mark.skipif(os.environ.get("TEST_DATABASE_URL") is None, reason="PostgreSQL's place index")
def test_two_writers_refreshing_the_same_place_at_once_both_succeed(
    app: Flask, empty_client: FlaskClient
) -> None:
    import threading
    from datetime import UTC, datetime

    from sqlalchemy import Engine, select, text

    from services_api.db import get_session
    from services_api.models import Location, Service

    import_listings(app, [listing("Busy Clinic", 12.0, 12.0)])
    with app.app_context():
        session = get_session()
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        service_id = session.scalars(select(Service.id).where(Service.name == "Busy Clinic")).one()
        location_id = session.scalars(select(Location.id).where(Location.name == "Busy Clinic place")).one()
    mover, confirmer = engine.connect(), engine.connect()
    failures: list[BaseException] = []

    def confirm() -> None:
        try:
            with confirmer.begin():  # waits for the mover's place row, then refreshes it too
                confirmer.execute(
                    text("UPDATE service SET last_verified_at = :now WHERE id = :id"),
                    {"now": datetime.now(UTC), "id": service_id},
                )
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    moving = mover.begin()
    mover.execute(
        text("UPDATE location SET public_latitude = 12.5, public_longitude = 12.5 WHERE id = :id"),
        {"id": location_id},
    )
    second = threading.Thread(target=confirm)
    second.start()
    second.join(timeout=1.0)
    moving.commit()
    second.join(timeout=30)
    mover.close()
    confirmer.close()
    assert not failures, failures
    with app.app_context():
        assert place_index_differences(get_session()) == 0
    body = empty_client.get("/api/v1/service_at_locations?lat=12.5&lng=12.5&radius_km=1").get_json()
    assert [item["service"]["name"] for item in body["contents"]] == ["Busy Clinic"]
