"""Benchmark searches filtered by opening hours; print ratios measured in one run.

    python benchmarks/open_now.py [--locations 200000] [--queries 100] [--sqlite FILE] [--postgres URL]

On N synthetic listings (built or reused as by benchmarks/search.py), for 10 km and 50 km, it times
random HTTP searches with `open_now=true` and the same searches without it, and prints medians and:

  (a) open_now / plain: what reading every match's hours adds to a search;
  (b) on SQLite, the same open_now searches with the parent-column indexes of migration 0009
      taken back to full indexes (migration 0008) against the partial ones: what 0009 saved.
"""

from __future__ import annotations

import argparse
from typing import Any

from alembic import command
from search import add_database_options, median_ms, prepare_databases, query_points
from sqlalchemy import text

from services_api import create_app
from services_api.db import make_engine
from services_api.geo.sphere import Point
from services_api.migrate import alembic_config, upgrade_to_head

RADII_KM = (10.0, 50.0)
SEARCH = "/api/v1/service_at_locations?lat={}&lng={}&radius_km={}&per_page=50"


def main() -> None:
    """Prepare the databases, time every case, print the medians and the ratios."""
    options = _options()
    databases = prepare_databases(options)
    sqlite_url = databases["sqlite"]
    points = query_points(sqlite_url, options.queries, options.seed)
    print(f"\n{options.locations:,} synthetic listings; {len(points)} queries a case; medians (ms)\n")
    print(f"{'case':<42}{'plain':>8}{'open_now':>10}{'(a) ratio':>11}")
    for name, url in databases.items():
        timed = _medians(url, points)
        for radius in RADII_KM:
            plain, open_now = timed[(radius, False)], timed[(radius, True)]
            print(f"{f'{name} {radius:g} km':<42}{plain:>8.2f}{open_now:>10.2f}{open_now / plain:>10.1f}x")
    _compare_full_indexes(sqlite_url, points)


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_database_options(parser, locations=200_000, queries=100)
    return parser.parse_args()


def _medians(url: str, points: list[Point], only_open: bool = False) -> dict[tuple[float, bool], float]:
    """Time every point's search, with and without open_now, after one untimed pass."""
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": url})
    client = app.test_client()
    cases = [(radius, True) for radius in RADII_KM]
    if not only_open:
        cases += [(radius, False) for radius in RADII_KM]

    def get(point: Point, radius: float, open_now: bool) -> Any:
        url = SEARCH.format(point.latitude, point.longitude, radius) + ("&open_now=true" if open_now else "")
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.data

    for case in cases:
        for point in points:
            get(point, *case)
    medians = {case: median_ms(points, lambda p, c=case: get(p, *c)) for case in cases}
    app.extensions["db_engine"].dispose()
    return medians


def _compare_full_indexes(url: str, points: list[Point]) -> None:
    """Time open_now searches with migration 0009 undone, then redo it (statistics refreshed each time)."""
    engine = make_engine(url)
    _migrate(engine, "0008", down=True)
    try:
        before = _medians(url, points, only_open=True)
    finally:
        upgrade_to_head(engine)
        _analyze(engine)
    after = _medians(url, points, only_open=True)
    engine.dispose()
    print("\n(b) SQLite open_now search, full parent indexes (before 0009) / partial ones")
    for radius in RADII_KM:
        full, partial = before[(radius, True)], after[(radius, True)]
        print(f"  {radius:g} km: {full:.2f} ms / {partial:.2f} ms = {full / partial:.1f}x")


def _migrate(engine: Any, revision: str, *, down: bool) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
    _analyze(engine)


def _analyze(engine: Any) -> None:
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


if __name__ == "__main__":
    main()
