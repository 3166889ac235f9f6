"""A 304 costs about what the framework's cheapest answer costs; a compressed page is a fraction of its size.

Serves the given SQLite file (creating it with N synthetic listings when it does not exist) with
gunicorn as `make run` does (`-c python:services_api.gunicorn_config`), then over one kept-alive
connection times, median of `--requests` each:
- the framework floor: `GET /api/v1/` (no database query beyond the ETag's);
- a search page of 50 results, answered in full (200);
- the same search revalidated with its ETag (304, the answer never built);
and compares the sizes of that page uncompressed, gzipped and in brotli.

    .venv/bin/python benchmarks/revalidation.py --sqlite /tmp/revalidation.db --listings 2000 --port 8302
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FLOOR = "/api/v1/"
SEARCH = "/api/v1/services?search=support&per_page=50"


def _prepare(database: Path, listings: int, env: dict[str, str]) -> None:
    if database.exists():
        return
    flask = [str(BIN / "flask"), "--app", "services_api"]
    subprocess.run([*flask, "init-db"], env=env, cwd=ROOT, check=True)
    subprocess.run([*flask, "seed", "synthetic", "--locations", str(listings)], env=env, cwd=ROOT, check=True)


def _get(
    connection: http.client.HTTPConnection, path: str, headers: dict[str, str]
) -> tuple[int, float, bytes, Any]:
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    return response.status, (time.perf_counter() - started) * 1000, body, response


def _timed(
    connection: http.client.HTTPConnection, path: str, headers: dict[str, str], count: int, status: int
) -> list[float]:
    times = []
    while len(times) < count:
        got, elapsed, _, _ = _get(connection, path, headers)
        if got == status:
            times.append(elapsed)
        elif status == 304:  # the minute turned: the page's open-now summaries are new, and so is its tag
            headers["If-None-Match"] = _get(connection, path, {})[3].getheader("ETag")
    return times


def main() -> None:
    """Run the measurement and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", type=Path, required=True, help="SQLite file (created when missing)")
    parser.add_argument("--listings", type=int, default=2000, help="synthetic listings for a new file")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--port", type=int, default=8302)
    args = parser.parse_args()
    env = {**os.environ, "APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{args.sqlite.resolve()}"}
    env["PORT"] = str(args.port)
    _prepare(args.sqlite, args.listings, env)
    command = [str(BIN / "gunicorn"), "-c", "python:services_api.gunicorn_config", "wsgi:app"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
                _get(connection, FLOOR, {})
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        _, _, plain, first = _get(connection, SEARCH, {})
        results = len(json.loads(plain)["contents"])
        sizes = {"identity": len(plain)}
        for encoding in ("gzip", "br"):
            _, _, packed, response = _get(connection, SEARCH, {"Accept-Encoding": encoding})
            assert response.getheader("Content-Encoding") == encoding
            sizes[encoding] = len(packed)
        for _ in range(50):  # warm both workers' caches
            _get(connection, FLOOR, {})
            _get(connection, SEARCH, {})
        floor = statistics.median(_timed(connection, FLOOR, {}, args.requests, 200))
        full = statistics.median(_timed(connection, SEARCH, {}, args.requests, 200))
        held = {"If-None-Match": first.getheader("ETag")}
        revalidated = statistics.median(_timed(connection, SEARCH, held, args.requests, 304))
        floor_again = statistics.median(_timed(connection, FLOOR, {}, args.requests, 200))
    finally:
        server.terminate()
        server.wait(timeout=60)
    floor = min(floor, floor_again)
    print(f"search page: {SEARCH} ({results} results)")
    print(f"framework floor GET {FLOOR}: median {floor:.2f} ms")
    print(f"search page 200: median {full:.2f} ms ({full / floor:.1f}x the floor)")
    print(f"search page 304: median {revalidated:.2f} ms ({revalidated / floor:.2f}x the floor)")
    for encoding in ("gzip", "br"):
        share = sizes[encoding] / sizes["identity"]
        print(f"{encoding}: {sizes[encoding]:,} of {sizes['identity']:,} bytes ({share:.0%})")


if __name__ == "__main__":
    main()
