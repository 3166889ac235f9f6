"""Benchmark `near=` resolution with the full shipped gazetteer loaded; print the figures.

    python benchmarks/place_lookup.py [--sqlite FILE] [--postgres URL] [--repeat 200] [--countries GB]

Builds (or reuses) a database holding the whole gazetteer (world cities, every UK town, village and
neighbourhood GeoNames lists, every UK postcode sector and district) and the demo directory, then
times `resolve_place` — what every `near=`/`postcode=` search runs first — for real inputs: names,
ambiguous names, qualified names, postcodes that fall back to their sector, and (separately) misses
that answer 422 with suggestions. Each figure is the median (and 95th percentile) of `--repeat`
warm calls; the first call of a process, which reads the directory's footprint, is shown apart.
A name's gazetteer candidates are kept per process until the gazetteer changes (migration
0018); the `fresh` column times each call with nothing kept (as the first search of a name).
"""

from __future__ import annotations

import argparse
import functools
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from services_api import create_app
from services_api.core.geocoding.footprint import forget_footprints
from services_api.core.geocoding.places import UnknownPlaceError, resolve_place
from services_api.core.search.generations import forget_answers
from services_api.core.seeding.demo import seed_demo_directory, seed_gazetteer, seed_taxonomies
from services_api.db import get_session, make_engine, refresh_statistics
from services_api.migrate import upgrade_to_head

FOUND = [
    "Manchester",
    "Camden",
    "Richmond",
    "Kingston",
    "Stratford",
    "Hackney",
    "King's Cross",
    "Moss Side",
    "Manchester, UK",
    "Camden, London",
    "Richmond, London",
    "SE1 7PB",
    "M13 9PL",
    "EC1A 1BB",
    "SE1",
    "Londres",
    "München, Germany",
]
MISSED = ["Mancester", "Atlantis", "Xyzzyville"]


def main() -> None:
    """Prepare the database, time every query, print the figures."""
    options = _options()
    urls = {"sqlite": _sqlite(options.sqlite)}
    if options.postgres:
        urls["postgresql"] = _prepared(options.postgres)
    for name, url in urls.items():
        _report(name, url, options.repeat, options.countries)


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sqlite", help="a SQLite file to build or reuse (default: a temporary one)")
    parser.add_argument(
        "--postgres", help="a PostgreSQL URL to build or reuse, e.g. postgresql+psycopg://..."
    )
    parser.add_argument("--repeat", type=int, default=200, help="warm calls per query (default 200)")
    parser.add_argument("--countries", default="", help="DIRECTORY_COUNTRIES (default: the listings')")
    return parser.parse_args()


def _sqlite(path: str | None) -> str:
    target = Path(path) if path else Path(tempfile.mkdtemp()) / "place_lookup.db"
    return _prepared(f"sqlite:///{target}")


def _prepared(url: str) -> str:
    engine = make_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": url})
    with app.app_context():
        session = get_session()
        started = time.perf_counter()
        seed_gazetteer(session)
        seed_taxonomies(session)
        seed_demo_directory(session)
        session.commit()
        refresh_statistics(session)  # as `seed` does: the planner must know the gazetteer's size
        session.commit()
        print(f"{url.split(':')[0]}: gazetteer and demo ready in {time.perf_counter() - started:.1f} s")
    app.extensions["db_engine"].dispose()
    return url


def _report(name: str, url: str, repeat: int, countries: str) -> None:
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": url, "DIRECTORY_COUNTRIES": countries})
    configured = app.config["DIRECTORY_COUNTRIES"]
    with app.app_context():
        session = get_session()
        forget_footprints()
        first = _time(lambda: resolve_place(session, query="Camden", countries=configured), 1)[0]
        _time(lambda: _miss(session, "Mancester", configured), 1)  # builds the spelling index once
        print(f"\n{name}: ms per resolution (median / p95 of {repeat} warm calls); first call {first:.1f} ms")
        print(f"  {'':<32}{'median':>8}{'p95':>8}{'fresh':>8}")
        found = _table(
            session, FOUND, repeat, lambda query: resolve_place(session, query=query, countries=configured)
        )
        missed = _table(session, MISSED, repeat, lambda query: _miss(session, query, configured))
        print(f"{'all found (median of medians)':<34}{statistics.median(m for m, _ in found):>8.2f}", end="")
        print(f"{'':>8}{statistics.median(f for _, f in found):>8.2f}")
        print(f"{'all missed, with suggestions':<34}{statistics.median(m for m, _ in missed):>8.2f}", end="")
        print(f"{'':>8}{statistics.median(f for _, f in missed):>8.2f}")
    app.extensions["db_engine"].dispose()


def _table(
    session: object, queries: list[str], repeat: int, call: Callable[[str], object]
) -> list[tuple[float, float]]:
    medians = []
    for query in queries:
        times = _time(lambda query=query: call(query), repeat)  # type: ignore[misc]
        median, p95 = statistics.median(times), sorted(times)[int(len(times) * 0.95) - 1]
        fresh = statistics.median(_time(functools.partial(_fresh, call, query), max(3, repeat // 10)))
        medians.append((median, fresh))
        print(f"  {query!r:<32}{median:>8.2f}{p95:>8.2f}{fresh:>8.2f}")
    return medians


def _fresh(call: Callable[[str], object], query: str) -> None:
    forget_answers()
    call(query)


def _miss(session: object, query: str, countries: tuple[str, ...]) -> None:
    try:
        resolve_place(session, query=query, countries=countries)  # type: ignore[arg-type]
    except UnknownPlaceError:
        return
    raise AssertionError(f"{query!r} was expected to be unknown")


def _time(call: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


if __name__ == "__main__":
    main()
