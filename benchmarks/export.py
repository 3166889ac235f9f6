"""Benchmark the memory of streaming the whole directory (ndjson, export zip); print ratios from one run.

    python benchmarks/export.py [--services 100000] [--sqlite FILE] [--postgres URL]

Builds (or reuses) a database of N vetted synthetic listings (`flask seed synthetic`), then measures
the peak Python memory (tracemalloc) of, each in this run:

  page    one ordinary JSON page of 100 services: the baseline every request pays;
  ndjson  GET /services?format=ndjson, all N services, the body read and thrown away chunk by chunk;
  export  GET /export, the whole HSDS data package zip, read the same way;
  naive   all N services loaded and dumped in one list, as a non-streaming answer would be built.

Flat memory means `ndjson / page` and `export / page` stay small constants as N grows, while
`naive / ndjson` grows with N.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services_api import create_app  # noqa: E402
from services_api.api.public.common import public_view  # noqa: E402
from services_api.core.directory.reads import ListingFilters, services_query  # noqa: E402
from services_api.core.seeding.synthetic import create_synthetic_listings  # noqa: E402
from services_api.db import get_session, make_engine  # noqa: E402
from services_api.migrate import upgrade_to_head  # noqa: E402
from services_api.models import Service  # noqa: E402
from services_api.schemas.hsds import ServiceSchema, public_context  # noqa: E402

MIB = 1024 * 1024


def main() -> None:
    """Prepare the database, measure each case, print peaks and ratios."""
    options = _options()
    url = options.postgres or (
        f"sqlite:///{options.sqlite or ROOT / 'instance' / f'bench-export-{options.services}.db'}"
    )
    _prepare(url, options.services)
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": url, "CACHE_MAX_AGE": 0})
    client = app.test_client()
    cases: dict[str, Callable[[], int]] = {
        "page": lambda: _drain(client.get("/api/v1/services?per_page=100")),
        "ndjson": lambda: _drain(client.get("/api/v1/services?format=ndjson")),
        "export": lambda: _drain(client.get("/api/v1/export")),
        "naive": lambda: _naive(app),
    }
    peaks: dict[str, float] = {}
    print(f"\n{options.services:,} synthetic services on {url.split(':')[0]}\n")
    print(f"{'case':8} {'peak MiB':>10} {'bytes out':>14} {'seconds':>9}")
    for name, run in cases.items():
        peak, size, seconds = _measure(run)
        peaks[name] = peak
        print(f"{name:8} {peak / MIB:10.1f} {size:14,} {seconds:9.1f}")
    print()
    print(f"ndjson / page  = {peaks['ndjson'] / peaks['page']:.2f}x")
    print(f"export / page  = {peaks['export'] / peaks['page']:.2f}x")
    print(f"naive / ndjson = {peaks['naive'] / peaks['ndjson']:.1f}x")


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--sqlite", help="SQLite file (default: instance/bench-export-N.db, reused)")
    parser.add_argument("--postgres", help="postgresql+psycopg:// URL of a migrated database it may fill")
    return parser.parse_args()


def _prepare(url: str, services: int) -> None:
    """Create the schema and the synthetic listings unless the database already holds them."""
    engine = make_engine(url)
    upgrade_to_head(engine)
    with Session(engine) as session:
        present = session.scalar(select(func.count()).select_from(Service)) or 0
        if present != services:
            if present:
                raise SystemExit(f"{url} holds {present} services; use a fresh file or database")
            started = time.perf_counter()
            create_synthetic_listings(
                session, count=services, seed=1, after_batch=lambda _n: session.commit()
            )
            session.commit()
            print(f"created {services:,} listings in {time.perf_counter() - started:.0f} s")
    engine.dispose()


def _drain(response: Any) -> int:
    """Read a (streamed) response to its end, keeping nothing, and return its size."""
    assert response.status_code == 200, response.status_code
    size = sum(len(chunk) for chunk in response.response)
    response.close()
    return size


def _naive(app: Any) -> int:
    """Build the whole ndjson body in memory from one query, as a non-streaming answer would."""
    with app.app_context():
        session = get_session()
        view = public_view()
        records = session.scalars(
            services_query(session, view=view, filters=ListingFilters(), full=False)
        ).all()
        with public_context(view):
            dumped = ServiceSchema().dump(records, many=True)
        body = "".join(json.dumps(item) + "\n" for item in dumped).encode()
        return len(body)


def _measure(run: Callable[[], int]) -> tuple[float, int, float]:
    """Return the peak traced memory above the starting point, the output size and the seconds taken."""
    gc.collect()
    tracemalloc.start()
    start, _ = tracemalloc.get_traced_memory()
    started = time.perf_counter()
    size = run()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return float(peak - start), size, seconds


if __name__ == "__main__":
    main()
