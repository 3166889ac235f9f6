"""Benchmark how long a partner's bulk import holds the write lock, against its whole time.

    python benchmarks/import_lock.py [--listings 10000] [--sqlite FILE] [--postgres URL]

Builds a fresh database (the gazetteer, the taxonomies, one partner with a key), writes an HSDS
file of N listings of that partner (each a service with a phone, opening hours, a language, two
attributes and a place; one place in ten has only a postcode, which the gazetteer geocodes), and
POSTs it to /api/v1/admin/import twice: the first import creates every record, the second changes
nothing. For each it prints the total time of the request; the longest write window (from a
transaction's first statement that writes to the end of its commit: on SQLite the write lock is
held that long); their ratio; on SQLite, the longest wait of a probe that tries to take the write
lock every 2 ms from another connection; the CPU time of the importing thread inside the window
(on a busy machine the wall times grow with the load, this much less); and the statements run
inside the window (writes, and reads that should not be there). The PostgreSQL database given
with --postgres is wiped.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sqlite3
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services_api import create_app  # noqa: E402
from services_api.core.access import keys, partners  # noqa: E402
from services_api.core.actors import Actor  # noqa: E402
from services_api.core.seeding.demo import seed_gazetteer, seed_taxonomies  # noqa: E402
from services_api.db import get_session, make_engine  # noqa: E402
from services_api.migrate import upgrade_to_head  # noqa: E402
from services_api.models import Postcode, Role, TaxonomyTerm  # noqa: E402

READ_PREFIXES = ("SELECT", "PRAGMA", "WITH")
PROBE_INTERVAL = 0.002


@dataclass
class WriteWindow:
    """When the first write of a transaction ran and when its commit ended, and what ran between."""

    first_write: float | None = None
    committed: float | None = None
    cpu: float = 0.0
    statements: Counter[str] = field(default_factory=Counter)


@dataclass
class WriteWindows:
    """Every write transaction of an engine's connections (the key's use, the import itself...)."""

    windows: list[WriteWindow] = field(default_factory=list)
    open: WriteWindow | None = None

    def watch(self, engine: Engine) -> None:
        """Start timing the write transactions of `engine`'s connections."""
        event.listen(engine, "before_cursor_execute", self._before_execute)
        event.listen(engine, "rollback", self._end)
        event.listen(Session, "after_commit", self._end)

    def longest(self) -> WriteWindow:
        """Return the longest write transaction seen."""
        return max(
            self.windows,
            key=lambda window: (window.committed or 0) - (window.first_write or 0),
        )

    def _before_execute(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if self.open is None and verb not in READ_PREFIXES:
            self.open = WriteWindow(first_write=time.perf_counter(), cpu=-time.thread_time())
        if self.open is not None:
            self.open.statements[verb] += 1

    def _end(self, *_args: Any) -> None:
        if self.open is not None:
            self.open.committed = time.perf_counter()
            self.open.cpu += time.thread_time()
            self.windows.append(self.open)
            self.open = None


class LockProbe:
    """Another writer on SQLite: tries to take the write lock every few milliseconds, never waiting.

    The longest time from a refused try to the next successful one is how long a writer that came
    then would have waited for the lock.
    """

    def __init__(self, path: str):
        self.path = path
        self.longest = 0.0
        self.running = False
        self.thread: threading.Thread | None = None

    def __enter__(self) -> LockProbe:
        self.running, self.longest = True, 0.0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.running = False
        if self.thread is not None:
            self.thread.join()

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        refused_since: float | None = None
        while self.running:
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("ROLLBACK")
            except sqlite3.OperationalError:
                refused_since = refused_since or time.perf_counter()
            else:
                if refused_since is not None:
                    self.longest = max(self.longest, time.perf_counter() - refused_since)
                refused_since = None
            time.sleep(PROBE_INTERVAL)
        connection.close()


def main() -> None:
    """Build each database, import the file twice, print the times."""
    options = _options()
    databases = {"sqlite": f"sqlite:///{options.sqlite or ROOT / 'instance' / 'bench-import.db'}"}
    if options.postgres:
        databases["postgis"] = options.postgres
    for name, url in databases.items():
        _measure(name, url, options.listings)


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--listings", type=int, default=10_000)
    parser.add_argument("--sqlite", help="SQLite file, recreated (default: instance/bench-import.db)")
    parser.add_argument("--postgres", help="postgresql+psycopg:// URL of a database this may wipe")
    return parser.parse_args()


def _fresh_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(url)
    if url.startswith("postgresql"):
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade_to_head(engine)
    engine.dispose()


def _measure(name: str, url: str, listings: int) -> None:
    _fresh_database(url)
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": url, "MAX_REQUEST_BYTES": 1 << 30})
    with app.app_context():
        session = get_session()
        seed_gazetteer(session)
        seed_taxonomies(session)
        cli = Actor.command_line()
        partner = partners.create_partner(session, actor=cli, name="Benchmark partner")
        token = keys.issue_key(
            session, app.config["SECRET_KEY"], actor=cli, role=Role.PARTNER, partner=partner
        ).token
        body = json.dumps(_document(session, partner.id, listings)).encode()
        session.commit()
    windows = WriteWindows()
    windows.watch(app.extensions["db_engine"])
    client = app.test_client()
    print(f"\n{listings:,} listings ({len(body) / 1e6:.1f} MB of HSDS JSON) on {name}\n")
    probe_path = url.removeprefix("sqlite:///") if url.startswith("sqlite") else None
    print(
        f"{'import':7} {'total s':>8} {'write window s':>15} {'window/total':>13} {'lock wait s':>12}"
        f" {'window CPU s':>13}"
        "  statements in the longest window"
    )
    for label in ("first", "again"):
        windows.windows = []
        probe = LockProbe(probe_path) if probe_path else contextlib.nullcontext()
        with probe:
            started = time.perf_counter()
            response = client.post(
                "/api/v1/admin/import",
                data=body,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                },
            )
            total = time.perf_counter() - started
        waited = f"{probe.longest:12.2f}" if isinstance(probe, LockProbe) else f"{'-':>12}"
        if response.status_code != 200:
            raise SystemExit(
                f"import failed: {response.status_code} {response.get_data(as_text=True)[:2000]}"
            )
        window = windows.longest()
        held = (window.committed or 0.0) - (window.first_write or 0.0)
        statements = ", ".join(f"{verb} {count:,}" for verb, count in window.statements.most_common())
        times = f"{total:8.2f} {held:15.2f} {held / total:13.2f} {waited} {window.cpu:13.2f}"
        print(f"{label:7} {times}  {statements}")
    app.extensions["db_engine"].dispose()


def _document(session: Session, partner_id: uuid.UUID, listings: int) -> dict[str, Any]:
    """Return one HSDS organisation holding `listings` services, each at its own place."""
    rng = random.Random(1)
    terms = [str(term_id) for term_id in session.scalars(select(TaxonomyTerm.id).order_by(TaxonomyTerm.code))]
    postcodes = list(session.execute(select(Postcode.code, Postcode.country_code).limit(2000)))
    locations, services = [], []
    for number in range(listings):
        location_id, service_id = str(uuid.uuid4()), str(uuid.uuid4())
        code, country = postcodes[number % len(postcodes)]
        location: dict[str, Any] = {
            "id": location_id,
            "name": f"Drop-in {number}",
            "location_type": "physical",
            "addresses": [
                {
                    "id": str(uuid.uuid4()),
                    "address_1": f"{number} Example Street",
                    "city": "",
                    "state_province": "",
                    "postal_code": code,
                    "country": country,
                    "address_type": "physical",
                }
            ],
        }
        if number % 10:
            location.update(latitude=rng.uniform(-60, 60), longitude=rng.uniform(-180, 180))
        locations.append(location)
        services.append(
            {
                "id": service_id,
                "name": f"Night clinic {number}",
                "description": "Peer-led sexual health clinic; no ID needed, interpreters on request.",
                "status": "active",
                "phones": [
                    {
                        "id": str(uuid.uuid4()),
                        "number": f"+44 20 7946 {number % 10000:04d}",
                    }
                ],
                "schedules": [
                    {
                        "id": str(uuid.uuid4()),
                        "byday": "MO,TU,WE",
                        "opens_at": "18:00",
                        "closes_at": "23:00",
                    }
                ],
                "languages": [{"id": str(uuid.uuid4()), "name": "English", "code": "en"}],
                "attributes": [
                    {"id": str(uuid.uuid4()), "taxonomy_term_id": term} for term in rng.sample(terms, 2)
                ],
                "service_at_locations": [{"id": str(uuid.uuid4()), "location_id": location_id}],
            }
        )
    return {
        "id": str(partner_id),
        "name": "Benchmark partner",
        "locations": locations,
        "services": services,
    }


if __name__ == "__main__":
    main()
