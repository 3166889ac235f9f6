"""Keyword search without a place vs a point search, served by gunicorn as `make run` does.

    .venv/bin/python benchmarks/keyword_search.py --listings 100000 --listings 1000000

For each size, builds (or reuses) a SQLite file of N synthetic listings (`flask seed synthetic`,
instance/keyword-N.db), serves it with `gunicorn -c python:services_api.gunicorn_config`, and
times, over HTTP, after untimed passes over every request (each distinct one four times, so
that both workers keep its answer):

  keyword  /api/v1/services?search=WORDS (no place), WORDS cycling through category words that
           each match one listing in 17 (and `advice`, three in 17), plus prefixes (`immig`);
  point    /api/v1/services?lat=..&lng=..&radius_km=10, around populated places (weighted by
           population, the same points at every size);
  both     /api/v1/service_at_locations?search=WORDS&lat=..&lng=..&radius_km=10;
  every    /api/v1/services?search=synthetic: the word every listing has (the worst case);
  fresh    the keyword requests again, each right after a write moved the listings' generation
           (migration 0018), so none is answered from the kept totals and rankings: the cost of
           the first search of a word after any change.

It prints medians and, measured in this run, keyword / point and fresh / point at each size and
each case's growth from the first size to the last.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from benchmarks.search import query_points  # noqa: E402
from services_api.db import make_engine  # noqa: E402
from services_api.migrate import upgrade_to_head  # noqa: E402

WORDS = (
    "immigration",
    "refuge",
    "mental health",
    "criminal defence",
    "immig",
    "housing advice",
    "advice",
    "contraception",
    "drug alcohol",
    "prep",
)
PER_PAGE = 25
RADIUS_KM = 10
WARM_PASSES = 4  # of each distinct request, so that both of `make run`'s workers most likely saw it


def _get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=300) as response:
        response.read()
        assert response.status == 200, url
    return (time.perf_counter() - started) * 1000


def _prepare(database: Path, listings: int, env: dict[str, str]) -> None:
    if database.exists():
        engine = make_engine(env["DATABASE_URL"], create=False)
        upgrade_to_head(engine)  # a file built before a migration gets it
        engine.dispose()
        return
    seed_synthetic(listings=listings, env=env)


def seed_synthetic(*, listings: int, env: dict[str, str]) -> None:
    """Migrate the database `env` names and add `listings` synthetic listings, saying how long it took."""
    flask = [str(BIN / "flask"), "--app", "services_api"]
    started = time.perf_counter()
    subprocess.run([*flask, "init-db"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [*flask, "seed", "synthetic", "--locations", str(listings)],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"created {listings:,} listings in {time.perf_counter() - started:.0f} s", flush=True)


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [str(BIN / "gunicorn"), "-c", "python:services_api.gunicorn_config", "wsgi:app"]
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**env, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            _get(f"http://127.0.0.1:{port}/api/v1/")
            return server
        except OSError:
            if time.monotonic() > deadline:
                server.terminate()
                raise
            time.sleep(0.3)


def _cases(requests: int, points: list[tuple[float, float]]) -> dict[str, list[str]]:
    words = list(itertools.islice(itertools.cycle(WORDS), requests))
    spots = [f"lat={lat:.5f}&lng={lng:.5f}&radius_km={RADIUS_KM}&per_page={PER_PAGE}" for lat, lng in points]
    quoted = [urllib.parse.quote_plus(word) for word in words]
    return {
        "keyword": [f"/api/v1/services?search={word}&per_page={PER_PAGE}" for word in quoted],
        "point": [f"/api/v1/services?{spot}" for spot in spots],
        "both": [f"/api/v1/service_at_locations?search={w}&{s}" for w, s in zip(quoted, spots, strict=True)],
        "every": [f"/api/v1/services?search=synthetic&per_page={PER_PAGE}"] * max(3, requests // 10),
    }


def measure(listings: int, requests: int, port: int) -> dict[str, float]:
    """Return the median milliseconds of each case at one size."""
    database = ROOT / "instance" / f"keyword-{listings}.db"
    database.parent.mkdir(exist_ok=True)
    env = {**os.environ, "APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{database}"}
    _prepare(database, listings, env)
    points = [(p.latitude, p.longitude) for p in query_points(env["DATABASE_URL"], requests, 1)]
    cases = _cases(requests, points)
    server = _serve(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        # Warm every cache first, each distinct request in every worker (which keeps its own
        # answers; gunicorn picks the worker): each case is timed in the same state.
        for paths in cases.values():
            for path in list(dict.fromkeys(paths)) * WARM_PASSES:
                _get(base + path)
        medians = {
            name: statistics.median(_get(base + path) for path in paths) for name, paths in cases.items()
        }
        medians["fresh"] = statistics.median(_after_a_write(env["DATABASE_URL"], base, cases["keyword"]))
        return medians
    finally:
        server.terminate()
        server.wait(timeout=60)


def _after_a_write(url: str, base: str, paths: list[str]) -> list[float]:
    """Time each request right after moving the directory version, as any write does."""
    engine = make_engine(url, create=False)
    times = []
    try:
        for path in paths:
            with engine.begin() as connection:
                connection.execute(text("UPDATE directory_version SET version = version + 1 WHERE id = 1"))
            times.append(_get(base + path))
    finally:
        engine.dispose()
    return times


def main() -> None:
    """Measure every size and print the medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, action="append", help="repeat for several sizes")
    parser.add_argument("--requests", type=int, default=60, help="timed requests a case")
    parser.add_argument("--port", type=int, default=8302)
    args = parser.parse_args()
    sizes = args.listings or [100_000, 1_000_000]
    results = {size: measure(size, args.requests, args.port) for size in sizes}
    print(f"\nmedians over {args.requests} requests a case (ms), per_page {PER_PAGE}, radius {RADIUS_KM} km")
    names = ("keyword", "point", "both", "every", "fresh")
    print(
        f"{'listings':>10}"
        + "".join(f"{name:>9}" for name in names)
        + f"{'keyword/point':>15}{'fresh/point':>13}"
    )
    for size, medians in results.items():
        print(
            f"{size:>10,}"
            + "".join(f"{medians[name]:>9.1f}" for name in names)
            + f"{medians['keyword'] / medians['point']:>15.2f}{medians['fresh'] / medians['point']:>13.2f}"
        )
    if len(sizes) > 1:
        first, last = results[sizes[0]], results[sizes[-1]]
        growth = ", ".join(f"{name} {last[name] / first[name]:.2f}x" for name in first)
        print(f"growth from {sizes[0]:,} to {sizes[-1]:,}: {growth}")


if __name__ == "__main__":
    main()
