"""Benchmark nearest-first search on synthetic data and print ratios measured in one run.

    python benchmarks/search.py [--locations 1000000] [--queries 300] [--postgres URL]

Builds (or reuses) a SQLite database of N synthetic listings clustered around gazetteer cities,
and the same in PostgreSQL/PostGIS when --postgres names a database it may wipe. Then, for 10 km
and 50 km, top 50, with and without a category filter, it times 300 random searches around
populated places (after one untimed pass over every query, so that no case pays for warming
the caches of the next) and prints medians and these ratios, each measured in this run:

  (a) the indexed search vs a full-scan haversine over the same tables (same results);
  (b) SQLite vs PostGIS (with --postgres);
  (c) the whole HTTP search request in-process vs a request that returns a precomputed JSON body
      of the same size through the same app (the framework's floor).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services_api import create_app  # noqa: E402
from services_api.api.http_cache import apply_http_caching  # noqa: E402
from services_api.api.public.common import public_view  # noqa: E402
from services_api.core.directory.reads import ListingFilters, listing_conditions  # noqa: E402
from services_api.core.search.query import PER_PLACE, Query, SearchArea, search  # noqa: E402
from services_api.core.search.terms import required_terms  # noqa: E402
from services_api.core.seeding.synthetic import create_synthetic_listings  # noqa: E402
from services_api.db import get_session, make_engine  # noqa: E402
from services_api.geo.sphere import EARTH_RADIUS_KM, Point  # noqa: E402
from services_api.migrate import upgrade_to_head  # noqa: E402
from services_api.models import Location, Place, Service, ServiceAtLocation  # noqa: E402

RADII_KM = (10.0, 50.0)
TOP = 50
CATEGORY = "health"


def main() -> None:
    """Prepare the databases, run every measurement, print the table and the ratios."""
    options = _options()
    databases = prepare_databases(options)
    sqlite_url = databases["sqlite"]
    points = query_points(sqlite_url, options.queries, options.seed)
    print(
        f"\n{options.locations:,} synthetic listings; {len(points)} queries a case; top {TOP}; medians (ms)\n"
    )
    medians: dict[tuple[str, str, float, bool], float] = {}
    for name, url in databases.items():
        app = create_app({"APP_ENV": "testing", "DATABASE_URL": url})
        precomputed = _add_precomputed_route(app)
        with app.app_context():
            session = get_session()
            for radius in RADII_KM:  # warm the caches: every case is timed in the same steady state
                for with_category in (False, True):
                    for point in points:
                        _search(session, point, radius, with_category)
            for radius in RADII_KM:
                for with_category in (False, True):
                    case = (radius, with_category)
                    medians[(name, "search", *case)] = median_ms(
                        points, lambda p, c=case, s=session: _search(s, p, *c)
                    )
                    scan_points = points[: options.scan_queries]
                    medians[(name, "scan", *case)] = median_ms(
                        scan_points, lambda p, c=case, s=session: _scan(s, p, *c)
                    )
        if name == "sqlite":
            for radius in RADII_KM:
                request, floor = _http_medians(app, precomputed, points, radius)
                medians[(name, "http", radius, False)] = request
                medians[(name, "floor", radius, False)] = floor
        app.extensions["db_engine"].dispose()
    _report(medians, databases)


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_database_options(parser, locations=1_000_000, queries=300)
    parser.add_argument("--scan-queries", type=int, default=20, help="full scans are slow: time this many")
    return parser.parse_args()


def add_database_options(parser: argparse.ArgumentParser, *, locations: int, queries: int) -> None:
    """Add the options every search benchmark takes: how many listings and queries, and where."""
    parser.add_argument("--locations", type=int, default=locations)
    parser.add_argument("--queries", type=int, default=queries)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sqlite", help="SQLite file (default: instance/bench-N-SEED.db, reused)")
    parser.add_argument("--postgres", help="postgresql+psycopg:// URL of a database this may wipe")


def prepare_databases(options: argparse.Namespace) -> dict[str, str]:
    """Build (or reuse) the listings in SQLite and, with --postgres, in PostgreSQL; return their URLs."""
    default_file = ROOT / "instance" / f"bench-{options.locations}-{options.seed}.db"
    databases = {"sqlite": f"sqlite:///{options.sqlite or default_file}"}
    if options.postgres:
        databases["postgis"] = options.postgres
    for name, url in databases.items():
        prepare_database(name, url, options.locations, options.seed)
    return databases


def prepare_database(name: str, url: str, locations: int, seed: int) -> None:
    """Create the schema and the synthetic listings unless the database already holds exactly them."""
    engine = make_engine(url)
    if url.startswith("postgresql"):
        with engine.begin() as connection:
            has_schema = connection.scalar(text("SELECT to_regclass('public.service') IS NOT NULL"))
            count = connection.scalar(text("SELECT count(*) FROM service")) if has_schema else -1
            if count != locations:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade_to_head(engine)
    with Session(engine) as session:
        present = session.scalar(select(func.count()).select_from(Service)) or 0
        if present != locations:
            if present:
                raise SystemExit(f"{url} holds {present} services; use a fresh file or database")
            started = time.perf_counter()
            create_synthetic_listings(
                session, count=locations, seed=seed, after_batch=lambda _n: session.commit()
            )
            session.commit()
            print(f"{name}: created {locations:,} listings in {time.perf_counter() - started:.0f} s")
        session.execute(text("ANALYZE"))
        session.commit()
    engine.dispose()


def query_points(url: str, count: int, seed: int) -> list[Point]:
    """Return random points near populated places (weighted by population), the same for every database."""
    engine = make_engine(url)
    with Session(engine) as session:
        places = session.execute(select(Place.latitude, Place.longitude, Place.population)).all()
    engine.dispose()
    rng = random.Random(seed * 7919 + 17)
    chosen = rng.choices(places, weights=[place.population for place in places], k=count)
    return [
        Point(p.latitude + rng.uniform(-0.05, 0.05), p.longitude + rng.uniform(-0.05, 0.05)) for p in chosen
    ]


def _filters(session: Session, with_category: bool) -> ListingFilters:
    """Return the filters of a search, resolving the category code as the API does."""
    if not with_category:
        return ListingFilters()
    return ListingFilters(required_terms=required_terms(session, category=CATEGORY, attributes=()))


def _search(session: Session, point: Point, radius: float, with_category: bool) -> int:
    query = Query(
        view=public_view(),
        per=PER_PLACE,
        filters=_filters(session, with_category),
        area=SearchArea(origin=point, radius_km=radius),
        open_at=None,
        page=1,
        per_page=TOP,
    )
    return search(session, query).total_items


def _scan(session: Session, point: Point, radius: float, with_category: bool) -> int:
    """Compute the haversine distance of every location in SQL, keep those inside, then join and filter.

    This is how a directory without a spatial index answers: one pass over the whole table. The
    pass is materialised first, so the planner cannot turn it into a join over every row.
    """
    lat, lng = func.radians(Location.public_latitude), func.radians(Location.public_longitude)
    plat, plng = func.radians(point.latitude), func.radians(point.longitude)
    h = func.power(func.sin((lat - plat) / 2), 2) + func.cos(plat) * func.cos(lat) * func.power(
        func.sin((lng - plng) / 2), 2
    )
    distance = (2 * EARTH_RADIUS_KM * func.asin(func.sqrt(h))).label("distance")
    scanned = select(Location.id, distance).where(Location.public_latitude.is_not(None)).subquery()
    near = select(scanned).where(scanned.c.distance <= radius).cte("near").prefix_with("MATERIALIZED")
    conditions = [
        public_view().service_filter(),
        *listing_conditions(session, _filters(session, with_category)),
    ]
    total = func.count().over().label("total")
    statement = (
        select(ServiceAtLocation.id, near.c.distance, total)
        .select_from(near)
        .join(ServiceAtLocation, ServiceAtLocation.location_id == near.c.id)
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .where(*conditions)
        .order_by(near.c.distance, ServiceAtLocation.id)
        .limit(TOP)
    )
    rows = session.execute(statement).all()
    return int(rows[0].total) if rows else 0


def _add_precomputed_route(app: Any) -> list[bytes]:
    """Add a route that answers with the next stored body, through the same caching step."""
    bodies: list[bytes] = []

    def precomputed() -> Any:
        return apply_http_caching(app.response_class(bodies.pop(0), mimetype="application/json"))

    app.add_url_rule("/bench-precomputed", "bench_precomputed", precomputed)
    return bodies


def _http_medians(app: Any, bodies: list[bytes], points: list[Point], radius: float) -> tuple[float, float]:
    """Time the whole search request, then a request serving a precomputed body of the same size."""
    client = app.test_client()
    url = "/api/v1/service_at_locations?lat={}&lng={}&radius_km={}&per_page={}"
    for point in points:
        bodies.append(client.get(url.format(point.latitude, point.longitude, radius, TOP)).data)
    request = median_ms(points, lambda p: client.get(url.format(p.latitude, p.longitude, radius, TOP)).data)
    floor = median_ms(points, lambda _p: client.get("/bench-precomputed").data)
    return request, floor


def median_ms(points: list[Point], run: Callable[[Point], Any]) -> float:
    """Return the median time of `run` over the points, in milliseconds."""
    timings = []
    for point in points:
        started = time.perf_counter()
        run(point)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _report(medians: dict[tuple[str, str, float, bool], float], databases: dict[str, str]) -> None:
    print(f"{'case':<28}{'search':>10}{'full scan':>12}{'(a) ratio':>11}")
    for name in databases:
        for radius in RADII_KM:
            for with_category in (False, True):
                search_ms = medians[(name, "search", radius, with_category)]
                scan_ms = medians[(name, "scan", radius, with_category)]
                label = f"{name} {radius:g} km{' + category' if with_category else ''}"
                print(f"{label:<28}{search_ms:>10.2f}{scan_ms:>12.1f}{scan_ms / search_ms:>10.0f}x")
    if "postgis" in databases:
        print("\n(b) SQLite / PostGIS search time (target: at most 2x)")
        for radius in RADII_KM:
            for with_category in (False, True):
                ratio = (
                    medians[("sqlite", "search", radius, with_category)]
                    / medians[("postgis", "search", radius, with_category)]
                )
                print(f"  {radius:g} km{' + category' if with_category else '':<12} {ratio:.2f}x")
    print("\n(c) whole HTTP request / precomputed body of the same size (target: at most 3x)")
    for radius in RADII_KM:
        request, floor = (
            medians[("sqlite", "http", radius, False)],
            medians[("sqlite", "floor", radius, False)],
        )
        print(f"  {radius:g} km: {request:.2f} ms / {floor:.2f} ms = {request / floor:.1f}x")


if __name__ == "__main__":
    main()
