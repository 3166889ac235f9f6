"""Keyword search: ranked by relevance, by word prefix and stem, case- and accent-blind, safe, in step."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from services_api.db import get_session
from services_api.migrate import alembic_config
from tests.admin_helpers import Admin, make_admin, new_service
from tests.factories import import_listings, listing
from tests.test_admin_import import post_import
from tests.test_admin_listings import mandatory, publish

LISTS = ("/api/v1/services", "/api/v1/service_at_locations")


def _names(client: FlaskClient, path: str, **query: Any) -> list[str]:
    response = client.get(path, query_string={"per_page": 100, **query})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return [item.get("name") or item["service"]["name"] for item in body["contents"]]


def _listing(
    name: str, description: str, latitude: float = -17.8, longitude: float = 178.0
) -> dict[str, Any]:
    document = listing(name, latitude, longitude)
    document["services"][0]["description"] = description
    return document


@pytest.fixture
def directory(app: Flask) -> FlaskClient:
    """A directory of a few listings whose words overlap on purpose (and nothing else)."""
    import_listings(
        app,
        [
            _listing("Aardvark evening support", "We also answer immigration questions."),
            _listing("Immigration advice line", "Advice by phone."),
            _listing("Résumé workshop", "Writing a CV."),
            _listing("Walk-in clinic", "Sexual health checks."),
            _listing("Zebra housing desk", "Emergency accommodation."),
        ],
    )
    return app.test_client()


def _service_name(item: dict[str, Any]) -> str:
    return str(item.get("name") or item["service"]["name"])


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("word", ["immigration", "immig", "IMMIGRATION"])
def test_a_word_in_the_name_ranks_before_the_same_word_in_the_description(
    directory: FlaskClient, path: str, word: str
) -> None:
    names = _names(directory, path, search=word)
    assert names == ["Immigration advice line", "Aardvark evening support"]


def test_the_stream_follows_the_same_ranking(directory: FlaskClient) -> None:
    opened = _names(directory, "/api/v1/services", search="immigration")
    stream = directory.get("/api/v1/services?format=ndjson&search=immigration")
    assert stream.status_code == 200
    lines = [line for line in stream.get_data(as_text=True).splitlines() if line]
    assert [line.split('"name":"')[1].split('"')[0] for line in lines] == opened


def test_without_keywords_the_list_stays_by_name(directory: FlaskClient) -> None:
    names = _names(directory, "/api/v1/services")
    assert names == sorted(names)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("resume", "Résumé workshop"),
        ("RÉSUMÉ", "Résumé workshop"),
        ("clinics", "Walk-in clinic"),
        ("Clinic", "Walk-in clinic"),
        ("walk-in", "Walk-in clinic"),
        ("housing", "Zebra housing desk"),
        ("houses", "Zebra housing desk"),
        ("accommodations", "Zebra housing desk"),
    ],
)
def test_words_match_whatever_their_case_accents_or_inflection(
    directory: FlaskClient, word: str, expected: str
) -> None:
    for path in LISTS:
        assert _names(directory, path, search=word) == [expected], (path, word)


def test_every_word_must_match(directory: FlaskClient) -> None:
    assert _names(directory, "/api/v1/services", search="clinic zzqqxx") == []
    assert _names(directory, "/api/v1/services", search="sexual clinic") == ["Walk-in clinic"]


HOSTILE = [
    '"',
    '""',
    '"clinic',
    "clinic*",
    "*",
    "NEAR(clinic walk)",
    "NEAR",
    "-clinic",
    "clinic -walk",
    "name:clinic",
    "{name}:clinic",
    "(",
    ")",
    "(clinic",
    "clinic OR",
    "AND",
    "NOT clinic",
    "^clinic",
    "clinic:*",
    "'clinic':*",
    "clinic & walk | !x",
    "<->",
    "\\",
    "%",
    "_",
    "🏥",
    "\u200b",
    "a" * 50,
]


@pytest.mark.parametrize("path", LISTS)
def test_query_syntax_in_a_search_is_only_text(directory: FlaskClient, path: str) -> None:
    for search in HOSTILE:
        response = directory.get(path, query_string={"search": search})
        assert response.status_code in (200, 422), (search, response.status_code)
        assert response.is_json, search
        placed = directory.get(path, query_string={"search": search, "lat": -17.8, "lng": 178.0})
        assert placed.status_code in (200, 422), (search, placed.status_code)
    # Syntax characters around a word leave the word: it is searched for, no more.
    for search in ('"clinic', "clinic*", "(clinic)", "-clinic", "NEAR(clinic)"):
        names = _names(directory, path, search=search)
        assert names == ["Walk-in clinic"] or (search.startswith("NEAR") and names == []), search


def test_with_a_place_the_nearest_match_comes_first(app: Flask) -> None:
    import_listings(
        app,
        [
            _listing("Immigration advice far away", "", latitude=-17.9, longitude=178.1),
            _listing("Near desk", "Immigration questions answered.", latitude=-17.8, longitude=178.0),
            _listing("Nearest unrelated", "Nothing to see.", latitude=-17.8, longitude=178.0),
        ],
    )
    client = app.test_client()
    for path in LISTS:
        names = _names(client, path, search="immigration", lat=-17.8, lng=178.0, radius_km=50)
        assert names == ["Near desk", "Immigration advice far away"], path


def _index_is_consistent(app: Flask) -> None:
    """On SQLite, FTS5 checks its external-content index against the service table."""
    with app.app_context():
        session = get_session()
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("INSERT INTO service_fts (service_fts, rank) VALUES ('integrity-check', 1)"))


@pytest.fixture
def admin(seeded_app: Flask) -> Admin:
    return make_admin(seeded_app)


def _finds(admin: Admin, word: str, service_id: str) -> bool:
    body = admin.client.get(f"/api/v1/services?search={word}&per_page=100").get_json()
    return service_id in [item["id"] for item in body["contents"]]


def test_the_index_follows_edits_approval_and_withdrawal(seeded_app: Flask, admin: Admin) -> None:
    service = publish(admin, new_service(name="Quokkian outreach"))
    assert _finds(admin, "quokk", service["id"])
    etag = admin.as_partner("GET", f"/services/{service['id']}").headers["ETag"]
    renamed = admin.as_partner(
        "PATCH",
        f"/services/{service['id']}",
        json={"name": "Wombatish outreach", "description": "Evenings near Numbatville."},
        headers={"If-Match": etag},
    )
    assert renamed.status_code == 200, renamed.get_json()
    assert not _finds(admin, "quokkian", service["id"])
    assert _finds(admin, "wombatish", service["id"])
    assert _finds(admin, "numbatville", service["id"])
    _index_is_consistent(seeded_app)

    pending = admin.as_partner("POST", "/services", json=new_service(name="Platypoid helpline")).get_json()
    assert not _finds(admin, "platypoid", pending["id"])
    approved = admin.as_operator(
        "POST", f"/services/{pending['id']}/approve", json={"criteria": mandatory(admin)}
    )
    assert approved.status_code == 200, approved.get_json()
    assert _finds(admin, "platypoid", pending["id"])

    etag = admin.as_partner("GET", f"/services/{service['id']}").headers["ETag"]
    removed = admin.as_partner("DELETE", f"/services/{service['id']}", headers={"If-Match": etag})
    assert removed.status_code == 200
    assert not _finds(admin, "wombatish", service["id"])
    _index_is_consistent(seeded_app)


def _organisation(organization_id: str, service_id: str, name: str) -> dict[str, Any]:
    location_id = str(uuid.uuid4())
    return {
        "id": organization_id,
        "name": "Imported organisation",
        "description": "Imported for a test.",
        "locations": [
            {
                "id": location_id,
                "name": "Imported place",
                "location_type": "physical",
                "latitude": 51.5,
                "longitude": -0.12,
            }
        ],
        "services": [
            {
                "id": service_id,
                "name": name,
                "status": "active",
                "service_at_locations": [{"id": str(uuid.uuid4()), "location_id": location_id}],
            }
        ],
    }


def test_the_index_follows_bulk_imports(seeded_app: Flask, admin: Admin) -> None:
    organization_id, service_id = str(uuid.uuid4()), str(uuid.uuid4())
    first = post_import(
        admin,
        [_organisation(organization_id, service_id, "Capybaran night shelter")],
        key=admin.operator_key,
        query="?vetted=true",
    )
    assert first.status_code == 200, first.get_json()
    assert _finds(admin, "capybaran", service_id)
    again = post_import(
        admin,
        [_organisation(organization_id, service_id, "Tapirine night shelter")],
        key=admin.operator_key,
        query="?vetted=true",
    )
    assert again.status_code == 200, again.get_json()
    assert not _finds(admin, "capybaran", service_id)
    assert _finds(admin, "tapirine", service_id)
    _index_is_consistent(seeded_app)


@pytest.mark.parametrize("filters", [{}, {"language": "en"}, {"category": "legal"}])
def test_the_demo_directory_ranks_names_with_the_word_first(
    client: FlaskClient, filters: dict[str, str]
) -> None:
    # The plain list, and the filtered search behind a filter the plain list lacks, rank alike.
    names = _names(client, "/api/v1/services", search="legal", **filters)
    in_name = [name for name in names if "legal" in name.lower()]
    assert in_name and names[: len(in_name)] == in_name
    assert len(in_name) < len(names)


def _migrate(app: Flask, revision: str, *, down: bool = False) -> None:
    engine = app.extensions["db_engine"]
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_the_migration_indexes_the_listings_already_stored(directory: FlaskClient, app: Flask) -> None:
    _migrate(app, "0011", down=True)
    _migrate(app, "head")
    assert _names(directory, "/api/v1/services", search="immig") == [
        "Immigration advice line",
        "Aardvark evening support",
    ]
    _index_is_consistent(app)
