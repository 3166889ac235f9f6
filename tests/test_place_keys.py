"""SQLite place keys group places by area (migration 0006), the R*Tree's day coordinate is scaled (0007),
and the R*Tree stays complete and in step."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from services_api.core.search.spatial_index import LISTED_DAY_SCALE
from services_api.core.seeding.demo import seed_gazetteer, seed_taxonomies
from services_api.core.seeding.synthetic import create_synthetic_listings
from services_api.db import make_engine
from services_api.migrate import alembic_config, upgrade_to_head

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite's place keys: PostgreSQL does not use them"
)

CELL = """1 + CAST((l.public_latitude + 90) * 10 AS INTEGER) * 3601
           + CAST((l.public_longitude + 180) * 10 AS INTEGER)"""
KEYS_OUTSIDE_THEIR_CELL = f"""
    SELECT count(*) FROM service_at_location AS sal JOIN location AS l ON l.id = sal.location_id
    WHERE l.public_latitude IS NOT NULL AND sal.spatial_key >> 32 <> {CELL}"""
RTREE = """SELECT id, sal_id, service_id, location_id, latitude, longitude, min_day
           FROM place_rtree ORDER BY sal_id"""
RTREE_IN_STEP = """
    SELECT count(*) FROM service_at_location AS sal JOIN place_rtree AS r ON r.id = sal.spatial_key
    WHERE r.sal_id = sal.id"""

SCHEDULES_AT_PLACES = "SELECT count(*) FROM schedule WHERE service_at_location_id IS NOT NULL"


def _migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _add_listings(engine: Engine, count: int, seed: int) -> None:
    with Session(engine) as session:
        create_synthetic_listings(session, count=count, seed=seed)
        session.commit()


def _scalar(engine: Engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(text(sql)) or 0)


@pytest.fixture
def engine_before_area_keys(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite database before migration 0006, with 300 synthetic listings keyed in insertion order."""
    engine = make_engine(f"sqlite:///{tmp_path / 'keys.db'}")
    _migrate(engine, "0005")
    with Session(engine) as session:
        seed_gazetteer(session)
        seed_taxonomies(session)
        session.commit()
    _add_listings(engine, 300, seed=21)
    yield engine
    engine.dispose()


def test_upgrade_regroups_existing_keys_by_area_and_rebuilds_the_index(
    engine_before_area_keys: Engine,
) -> None:
    engine = engine_before_area_keys
    assert _scalar(engine, KEYS_OUTSIDE_THEIR_CELL) == 300
    with engine.connect() as connection:
        before = [row[1:] for row in connection.execute(text(RTREE))]
    upgrade_to_head(engine)
    with engine.connect() as connection:
        after = connection.execute(text(RTREE)).all()
    assert [(*row[1:-1], round(row[-1] / LISTED_DAY_SCALE)) for row in after] == before
    assert _scalar(engine, KEYS_OUTSIDE_THEIR_CELL) == 0
    assert _scalar(engine, RTREE_IN_STEP) == 300
    assert _scalar(engine, "SELECT count(DISTINCT spatial_key) FROM service_at_location") == 300


def test_new_places_get_keys_in_their_area_after_upgrade_and_in_order_after_downgrade(
    engine_before_area_keys: Engine,
) -> None:
    engine = engine_before_area_keys
    upgrade_to_head(engine)
    _add_listings(engine, 200, seed=22)
    assert _scalar(engine, KEYS_OUTSIDE_THEIR_CELL) == 0
    assert _scalar(engine, RTREE_IN_STEP) == 500
    _migrate(engine, "0005", down=True)
    largest = _scalar(engine, "SELECT max(spatial_key) FROM service_at_location")
    _add_listings(engine, 10, seed=23)
    assert _scalar(engine, f"SELECT min(spatial_key) FROM service_at_location WHERE spatial_key > {largest}")
    assert _scalar(engine, f"SELECT count(*) FROM service_at_location WHERE spatial_key > {largest}") == 10
    assert _scalar(engine, RTREE_IN_STEP) == 510


def test_downgrade_below_the_index_keeps_every_place_and_its_hours(engine_before_area_keys: Engine) -> None:
    engine = engine_before_area_keys
    upgrade_to_head(engine)
    schedules = _scalar(engine, SCHEDULES_AT_PLACES)
    assert schedules > 100
    _migrate(engine, "0003", down=True)
    with engine.connect() as connection:
        columns = {row[1] for row in connection.execute(text("PRAGMA table_info(service_at_location)"))}
        assert not connection.execute(text("PRAGMA foreign_key_check")).all()
    assert "spatial_key" not in columns
    assert _scalar(engine, "SELECT count(*) FROM service_at_location") == 300
    assert _scalar(engine, SCHEDULES_AT_PLACES) == schedules


def test_scaled_days_keep_every_day_and_downgrade_restores_whole_days(
    engine_before_area_keys: Engine,
) -> None:
    engine = engine_before_area_keys
    _migrate(engine, "0006")
    with engine.connect() as connection:
        days = connection.execute(text(RTREE)).all()
    assert {row[-1] for row in days} - {-1} and all(row[-1] == int(row[-1]) for row in days)
    _migrate(engine, "0007")
    with engine.connect() as connection:
        scaled = connection.execute(text(RTREE)).all()
    assert [row[-1] for row in scaled] != [row[-1] for row in days]
    assert [(*row[:-1], round(row[-1] / LISTED_DAY_SCALE)) for row in scaled] == days
    _add_listings(engine, 20, seed=24)
    assert _scalar(engine, RTREE_IN_STEP) == 320
    assert _scalar(engine, "SELECT count(*) FROM place_rtree WHERE max_day > 1") == 0
    _migrate(engine, "0006", down=True)
    with engine.connect() as connection:
        whole = connection.execute(text(RTREE)).all()
    assert _scalar(engine, RTREE_IN_STEP) == 320
    assert all(row[-1] == int(row[-1]) for row in whole)
    assert {row[-1] for row in whole} >= {row[-1] for row in days}


def test_searches_read_the_index_columns_where_sqlite_stores_them(engine_before_area_keys: Engine) -> None:
    from services_api.core.search.spatial_index import PLACE_DATA

    engine = engine_before_area_keys
    upgrade_to_head(engine)
    _add_listings(engine, 50, seed=25)
    same = " AND ".join(f"d.{column.name} IS r.{name}" for name, column in PLACE_DATA.items())
    matched = (
        "SELECT count(*) FROM place_rtree AS r JOIN place_rtree_rowid AS d ON d.rowid = r.id WHERE " + same
    )
    assert _scalar(engine, matched) == _scalar(engine, "SELECT count(*) FROM place_rtree") == 350
