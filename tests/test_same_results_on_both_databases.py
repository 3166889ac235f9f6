"""The same fixtures give the same results, in the same order, on SQLite and on PostgreSQL/PostGIS."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from services_api import create_app
from services_api.core.seeding.synthetic import create_synthetic_listings
from services_api.db import get_session, make_engine, refresh_statistics
from services_api.migrate import upgrade_to_head
from tests.conftest import _seed

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="compares with PostgreSQL: set TEST_DATABASE_URL"
)
SYNTHETIC = 3000


def _add_synthetic(app: Flask) -> None:
    with app.app_context():
        session = get_session()
        create_synthetic_listings(session, count=SYNTHETIC, seed=5)
        session.commit()
        refresh_statistics(session)
        session.commit()


def _queries() -> list[str]:
    rng = random.Random(11)
    centres = [
        (51.5, -0.12),
        (40.75, -73.98),
        (-33.87, 151.2),
        (35.68, 139.69),
        (19.43, -99.13),
        (28.61, 77.2),
    ]
    queries = []
    for _ in range(40):
        lat, lng = rng.choice(centres)
        lat, lng = round(lat + rng.uniform(-0.3, 0.3), 5), round(lng + rng.uniform(-0.3, 0.3), 5)
        radius = rng.choice([2, 10, 50])
        endpoint = rng.choice(["services", "service_at_locations"])
        extra = rng.choice(
            [
                "",
                "&category=health",
                "&attribute=free",
                "&language=es",
                "&min_results=30",
                "&category=legal&min_results=10",
            ]
        )
        queries.append(f"/api/v1/{endpoint}?lat={lat}&lng={lng}&radius_km={radius}&per_page=40{extra}")
    queries += [
        "/api/v1/service_at_locations?bbox=-0.3,51.4,0.1,51.6&per_page=100",
        "/api/v1/services?near=Tokyo,%20JP&radius_km=30&per_page=100",
        "/api/v1/service_at_locations?near=Sydney&radius_km=20&page=2&per_page=10",
    ]
    return queries


def _results(app: Flask, queries: list[str]) -> list[Any]:
    client = app.test_client()
    answers = []
    for query in queries:
        body = client.get(query).get_json()
        assert "contents" in body, (query, body)
        items = [
            (item["id"], item["distance_km"], item["match"], item["beyond_radius"])
            for item in body["contents"]
        ]
        answers.append((body["total_items"], items))
    return answers


def test_sqlite_and_postgis_agree_on_ids_order_and_distances(seeded_app: Flask, tmp_path: Path) -> None:
    sqlite_file = tmp_path / "compare.db"
    engine = make_engine(f"sqlite:///{sqlite_file}")
    upgrade_to_head(engine)
    engine.dispose()
    _seed(f"sqlite:///{sqlite_file}")
    sqlite_app = create_app({"APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{sqlite_file}"})
    _add_synthetic(sqlite_app)
    _add_synthetic(seeded_app)
    queries = _queries()
    on_sqlite, on_postgis = _results(sqlite_app, queries), _results(seeded_app, queries)
    assert sum(len(items) for _total, items in on_sqlite) > 300, "the queries should find plenty"
    for query, left, right in zip(queries, on_sqlite, on_postgis, strict=True):
        assert left == right, query
    sqlite_app.extensions["db_engine"].dispose()
