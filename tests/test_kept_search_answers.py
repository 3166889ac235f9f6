"""Kept keyword answers: a repeated search answers from memory, and any write shows at once."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from services_api.core.directory.reads import ListingFilters, list_services
from services_api.core.directory.visibility import PublicView
from services_api.core.geocoding.places import GAZETTEER_RECHECK_SECONDS
from services_api.db import get_session, make_engine
from tests.factories import import_listings, listing

LISTS = ("/api/v1/services", "/api/v1/service_at_locations")


def _page(client: FlaskClient, path: str, **query: Any) -> tuple[list[str], int]:
    response = client.get(path, query_string={"search": "wombat", **query})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    names = [item.get("name") or item["service"]["name"] for item in body["contents"]]
    return names, body["total_items"]


@pytest.fixture
def directory(app: Flask) -> FlaskClient:
    """Five listings with the word in the name and two with it in the description only."""
    documents = [listing(f"Wombat desk {number}", -17.8, 178.0) for number in range(1, 6)]
    for number in (1, 2):
        document = listing(f"Evening line {number}", -17.8, 178.0)
        document["services"][0]["description"] = "Wombat questions answered."
        documents.append(document)
    import_listings(app, documents)
    return app.test_client()


def _write_elsewhere(app: Flask, statement: str, **params: Any) -> None:
    """Write as another process would: on its own connection, committed."""
    engine = make_engine(app.config["DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(text(statement), params)
    engine.dispose()


@pytest.mark.parametrize("path", LISTS)
def test_a_repeated_search_gives_the_same_pages_and_total(directory: FlaskClient, path: str) -> None:
    everything, total = _page(directory, path, per_page=100)
    assert total == 7 and everything[:5] == [f"Wombat desk {n}" for n in range(1, 6)]
    assert _page(directory, path, per_page=100) == (everything, 7)
    pages = [_page(directory, path, per_page=3, page=number) for number in (1, 2, 3, 4)]
    assert [name for names, _ in pages for name in names] == everything
    assert {count for _, count in pages} == {7}


@pytest.mark.parametrize("path", LISTS)
def test_a_listing_withdrawn_by_another_process_leaves_the_next_answer(
    app: Flask, directory: FlaskClient, path: str
) -> None:
    _page(directory, path)
    _write_elsewhere(app, "UPDATE service SET status = 'defunct' WHERE name = 'Wombat desk 2'")
    names, total = _page(directory, path, per_page=100)
    assert "Wombat desk 2" not in names and total == 6


@pytest.mark.parametrize("path", LISTS)
def test_a_renamed_or_new_listing_shows_in_the_next_answer(
    app: Flask, directory: FlaskClient, path: str
) -> None:
    _page(directory, path)
    _write_elsewhere(
        app,
        "UPDATE service SET name = 'Quokka desk', search_text = 'quokka desk' WHERE name = 'Wombat desk 3'",
    )
    names, total = _page(directory, path, per_page=100)
    assert "Wombat desk 3" not in names and total == 6
    import_listings(app, [listing("Wombat annex", -17.8, 178.0)])
    names, total = _page(directory, path, per_page=100)
    assert "Wombat annex" in names and total == 7


def test_a_place_moved_off_a_service_leaves_its_place_results(app: Flask, directory: FlaskClient) -> None:
    _page(directory, "/api/v1/service_at_locations")
    _write_elsewhere(
        app,
        "DELETE FROM service_at_location WHERE service_id IN (SELECT id FROM service WHERE name = :name)",
        name="Wombat desk 4",
    )
    names, total = _page(directory, "/api/v1/service_at_locations", per_page=100)
    assert "Wombat desk 4" not in names and total == 6


def test_a_search_inside_a_writing_session_sees_its_own_uncommitted_writes(
    app: Flask, directory: FlaskClient
) -> None:
    view = PublicView.at(stale_after_days=365, hide_after_days=730)
    filters = ListingFilters(search="wombat")
    with app.app_context():
        session = get_session()
        before = list_services(session, view=view, filters=filters, page=1, per_page=100, full=False)
        session.execute(text("UPDATE service SET status = 'defunct' WHERE name = 'Wombat desk 1'"))
        during = list_services(session, view=view, filters=filters, page=1, per_page=100, full=False)
        session.rollback()
        after = list_services(session, view=view, filters=filters, page=1, per_page=100, full=False)
        # Another write now takes the generation the rolled-back one had.
        session.execute(text("UPDATE service SET name = 'Wombat desk six' WHERE name = 'Wombat desk 5'"))
        session.commit()
        session.expire_all()
        last = list_services(session, view=view, filters=filters, page=1, per_page=100, full=False)
    assert (before.total_items, during.total_items, after.total_items, last.total_items) == (7, 6, 7, 7)
    assert "Wombat desk 1" in [service.name for service in last.items]
    assert "Wombat desk six" in [service.name for service in last.items]


def _near(client: FlaskClient, query: str, *, after_a_change: bool = False) -> Any:
    if after_a_change:  # a change of the gazetteer shows within GAZETTEER_RECHECK_SECONDS
        time.sleep(GAZETTEER_RECHECK_SECONDS + 0.1)
    return client.get("/api/v1/services", query_string={"near": query, "per_page": 1})


def test_names_spelt_otherwise_follow_the_gazetteer_too(seeded_app: Flask) -> None:
    client = seeded_app.test_client()
    # "Cam-den" is no recorded name: it is found by its letters, in the spelling index.
    assert _near(client, "Cam-den").get_json()["place"]["name"] == "Camden"
    _write_elsewhere(seeded_app, "DELETE FROM place_name WHERE folded_name = 'camden'")
    assert _near(client, "Cam-den", after_a_change=True).status_code == 422


def test_a_place_name_resolves_again_after_the_gazetteer_changes(seeded_app: Flask) -> None:
    client = seeded_app.test_client()
    first = _near(client, "Camden")
    assert first.status_code == 200, first.get_json()
    assert _near(client, "Camden").get_json()["place"] == first.get_json()["place"]
    _write_elsewhere(
        seeded_app,
        "UPDATE place SET latitude = latitude + 0.5 WHERE id IN "
        "(SELECT place_id FROM place_name WHERE folded_name = 'camden')",
    )
    moved = _near(client, "Camden", after_a_change=True).get_json()["place"]
    assert moved["latitude"] == pytest.approx(first.get_json()["place"]["latitude"] + 0.5, abs=1e-6)
    _write_elsewhere(seeded_app, "DELETE FROM place_name WHERE folded_name = 'camden'")
    assert _near(client, "Camden", after_a_change=True).status_code == 422


def test_a_postcode_resolves_again_after_the_gazetteer_changes(seeded_app: Flask) -> None:
    client = seeded_app.test_client()
    first = _near(client, "SE1 7PB")
    assert first.status_code == 200, first.get_json()
    _write_elsewhere(seeded_app, "DELETE FROM postcode WHERE code IN ('SE1 7PB', 'SE1 7', 'SE1')")
    assert _near(client, "SE1 7PB", after_a_change=True).status_code == 422
