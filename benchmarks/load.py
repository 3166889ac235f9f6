"""A mixed public workload plus partner writes, served by gunicorn as `make run` does, measured with wrk.

    .venv/bin/python benchmarks/load.py --listings 100000 --listings 1000000
    .venv/bin/python benchmarks/load.py --listings 100000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/services_api_load

For each size, builds (or reuses) a directory of N synthetic listings (SQLite: instance/load-N.db;
PostgreSQL: the given database with `_N` appended, created when missing), serves it with
`gunicorn -c python:services_api.gunicorn_config`, and runs wrk (Debian's `wrk`, 2 threads,
`--connections` connections, `--seconds` a case) once per kind of request, each picking at random
from its own list of requests:

  floor     GET /api/v1/ (what the framework costs)
  point     /services?lat=..&lng=..&radius_km=10 around populated places
  place     /services?near=<city>&radius_km=10
  list      /services?per_page=25&page=1..20 (a plain list)
  term      /services?taxonomy_term_id=<a top category>
  open_now  /services?near=<city>&open_now=true
  keyword   /services?search=<words> (no place)
  detail    /services/<id>
  revalid   a point search again with its ETag (If-None-Match: 304)
  delta     /services?modified_after=<an hour ago>&per_page=25
  write     POST /admin/services by a partner (a new, pending service)
  mixed     all of the above in one run, weighted as a day of outreach apps might ask

It prints requests a second, p50 and p99 latency and errors (non-2xx/3xx, socket errors) of each,
and each read's cost relative to a point search (point req/s over its req/s), measured in this run,
and with several sizes each case's growth in cost from the first size to the last.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from benchmarks.keyword_search import WORDS, _serve, seed_synthetic  # noqa: E402
from benchmarks.search import query_points  # noqa: E402

CITIES = ("London", "Manchester", "Paris", "Berlin", "Madrid", "New York", "Chicago", "Toronto", "Sydney")
SECRET = "load-benchmark-secret-key-of-enough-length-0123456789"
PER_PAGE = 25
WEIGHTS = {
    "point": 30,
    "place": 20,
    "list": 5,
    "term": 5,
    "open_now": 10,
    "keyword": 10,
    "detail": 10,
    "revalid": 5,
    "delta": 3,
    "write": 2,
}
LUA = r"""
local requests = {}
function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  for line in io.lines(args[1]) do
    local method, path, header_text, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {}
    for name, value in header_text:gmatch("([^|:]+): ([^|]*)") do headers[name] = value end
    if body == "" then body = nil end
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
end
function request()
  return requests[math.random(#requests)]
end
"""


@dataclass(frozen=True)
class Call:
    """One request of a case: method, path, headers and body."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""

    def line(self) -> str:
        headers = "|".join(f"{name}: {value}" for name, value in self.headers)
        return "\t".join((self.method, self.path, headers, self.body))


def _prepare(listings: int, database_url: str | None) -> dict[str, str]:
    """Return the environment of a directory of `listings` synthetic listings, building it if missing."""
    # An instance folder of its own: rate limits and no development secret of `make run` in the way.
    instance = ROOT / "instance" / "load"
    instance.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": SECRET, "INSTANCE_PATH": str(instance)}
    if database_url:
        url = f"{database_url}_{listings}"
        server, name = url.rsplit("/", 1)
        admin = server.replace("postgresql+psycopg", "postgresql") + "/postgres"
        exists = subprocess.run(
            ["psql", admin, "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        env["DATABASE_URL"] = url
        if exists:
            return env
        subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    else:
        database = ROOT / "instance" / f"load-{listings}.db"
        database.parent.mkdir(exist_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{database}"
        if database.exists():
            return env
    seed_synthetic(listings=listings, env=env)
    return env


def _partner_key(env: dict[str, str]) -> str:
    """A partner and its key on the benchmark's directory (a new one each run)."""
    created = _flask(env, "partners", "create", f"Load partner {time.time():.0f}")
    partner_id = re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", created)
    assert partner_id, created
    issued = _flask(env, "keys", "issue", "--partner", partner_id.group(0))
    token = re.search(r"sa_\S+", issued)
    assert token, issued
    return token.group(0)


def _flask(env: dict[str, str], *arguments: str) -> str:
    """Run a `flask` command of the app on the benchmark's directory; return what it printed."""
    command = [str(BIN / "flask"), "--app", "services_api", *arguments]
    return subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout


def _get_json(url: str) -> tuple[dict[str, str], object]:
    with urllib.request.urlopen(url, timeout=300) as response:
        return dict(response.headers), json.loads(response.read())


def _cases(base: str, env: dict[str, str], size: int) -> dict[str, list[Call]]:
    rng = random.Random(7)
    points = [(p.latitude, p.longitude) for p in query_points(env["DATABASE_URL"], 40, 1)]
    spots = [f"lat={lat:.5f}&lng={lng:.5f}&radius_km=10&per_page={PER_PAGE}" for lat, lng in points]
    _headers, terms = _get_json(f"{base}/api/v1/taxonomy_terms?top_only=true")
    term_ids = [term["id"] for term in terms["contents"]]  # type: ignore[index]
    _headers, page = _get_json(f"{base}/api/v1/services?per_page=100&page={max(1, size // 500)}")
    service_ids = [item["id"] for item in page["contents"]]  # type: ignore[index]
    revalidations = []
    for spot in spots[:10]:
        headers, _body = _get_json(f"{base}/api/v1/services?{spot}")
        revalidations.append(Call("GET", f"/api/v1/services?{spot}", (("If-None-Match", headers["ETag"]),)))
    since = urllib.parse.quote((datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    key = _partner_key(env)
    write_headers = (("Authorization", f"Bearer {key}"), ("Content-Type", "application/json"))
    writes = [
        Call(
            "POST",
            "/api/v1/admin/services",
            write_headers,
            json.dumps({"name": f"Load test clinic {number}", "description": "A drop-in clinic."}),
        )
        for number in range(20)
    ]
    quoted = [urllib.parse.quote_plus(word) for word in WORDS]
    cities = [urllib.parse.quote_plus(city) for city in CITIES]
    return {
        "floor": [Call("GET", "/api/v1/")],
        "point": [Call("GET", f"/api/v1/services?{spot}") for spot in spots],
        "place": [
            Call("GET", f"/api/v1/services?near={city}&radius_km=10&per_page={PER_PAGE}") for city in cities
        ],
        "list": [Call("GET", f"/api/v1/services?per_page={PER_PAGE}&page={page}") for page in range(1, 21)],
        "term": [
            Call("GET", f"/api/v1/services?taxonomy_term_id={term}&per_page={PER_PAGE}") for term in term_ids
        ],
        "open_now": [
            Call("GET", f"/api/v1/services?near={city}&open_now=true&per_page={PER_PAGE}") for city in cities
        ],
        "keyword": [Call("GET", f"/api/v1/services?search={word}&per_page={PER_PAGE}") for word in quoted],
        "detail": [Call("GET", f"/api/v1/services/{rng.choice(service_ids)}") for _ in range(40)],
        "revalid": revalidations,
        "delta": [Call("GET", f"/api/v1/services?modified_after={since}&per_page={PER_PAGE}")],
        "write": writes,
    }


@dataclass
class Figures:
    """What wrk measured of one case."""

    per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def _milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _wrk(base: str, calls: list[Call], *, seconds: int, connections: int, folder: Path) -> Figures:
    listing = folder / "calls.tsv"
    listing.write_text("\n".join(call.line() for call in calls) + "\n")
    script = folder / "calls.lua"
    script.write_text(LUA)
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    command += ["-s", str(script), base, "--", str(listing)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1))  # type: ignore[union-attr]
    p99 = _milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    return Figures(per_second, p50, p99, errors)


def measure(
    size: int, *, database_url: str | None, seconds: int, connections: int, port: int
) -> dict[str, Figures]:
    """Return wrk's figures of every case, and of the mixed run, at one size."""
    env = _prepare(size, database_url)
    server = _serve(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        cases = _cases(base, env, size)
        # Each kind's share of the mixed run is its weight: weight x 4 entries, cycling through its calls.
        cases["mixed"] = [
            calls[number % len(calls)]
            for name, calls in cases.items()
            if name in WEIGHTS
            for number in range(WEIGHTS[name] * 4)
        ]
        results = {}
        with tempfile.TemporaryDirectory() as folder:
            for name, calls in cases.items():
                _wrk(base, calls, seconds=1, connections=connections, folder=Path(folder))  # warm up
                results[name] = _wrk(
                    base, calls, seconds=seconds, connections=connections, folder=Path(folder)
                )
                print(f"{size:>10,} {name:<9} {results[name].per_second:>9.1f} req/s", flush=True)
        return results
    finally:
        server.terminate()
        server.wait(timeout=60)


def main() -> None:
    """Measure every size and print the figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, action="append", help="repeat for several sizes")
    parser.add_argument("--database-url", help="PostgreSQL server and database name prefix (default SQLite)")
    parser.add_argument("--seconds", type=int, default=10, help="wrk's duration a case")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--port", type=int, default=8303)
    args = parser.parse_args()
    sizes = args.listings or [100_000, 1_000_000]
    results = {
        size: measure(
            size,
            database_url=args.database_url,
            seconds=args.seconds,
            connections=args.connections,
            port=args.port,
        )
        for size in sizes
    }
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\n{backend}, wrk -t2 -c{args.connections} -d{args.seconds}s a case, per_page {PER_PAGE}")
    print(
        f"{'listings':>10} {'case':<9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'x point':>8}"
    )
    for size, figures in results.items():
        point = figures["point"].per_second
        for name, case in figures.items():
            cost = point / case.per_second if case.per_second else float("inf")
            print(
                f"{size:>10,} {name:<9} {case.per_second:>9.1f} {case.p50_ms:>8.1f} {case.p99_ms:>8.1f} "
                f"{case.errors:>7} {cost:>8.2f}"
            )
    if len(sizes) > 1:
        first, last = results[sizes[0]], results[sizes[-1]]
        growth = ", ".join(
            f"{name} {first[name].per_second / last[name].per_second:.2f}x"
            for name in first
            if last[name].per_second
        )
        print(f"growth in cost from {sizes[0]:,} to {sizes[-1]:,}: {growth}")


if __name__ == "__main__":
    main()
