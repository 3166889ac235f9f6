"""A keyword search shown in a translated language against the same search untranslated, in one run.

    .venv/bin/python benchmarks/translated_search.py --listings 100000 --requests 40

Builds (or reuses) a SQLite file of N synthetic listings (`flask seed synthetic`,
instance/translated-N.db) and gives every second service a Spanish translation of its name and
description (as a partner's, with the words in its search text, as the write path keeps them).
Then times, in the app (Flask's test client, no HTTP), after one untimed pass over every request:

  plain       /api/v1/services?search=WORD                     (the original text)
  lang=es     /api/v1/services?search=WORD&lang=es             (the same matches, shown in Spanish)
  header      the same with Accept-Language: es-ES, es;q=0.9, en;q=0.5
  spanish     /api/v1/services?search=PALABRA&lang=es          (Spanish words: translated listings only)

and prints the medians and each one's ratio to `plain`, all measured in this run.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Uuid, bindparam, select, text  # noqa: E402

from benchmarks.keyword_search import seed_synthetic  # noqa: E402
from services_api import create_app  # noqa: E402
from services_api.core.search.text import fold  # noqa: E402
from services_api.db import get_session  # noqa: E402
from services_api.models import Service, Translation, utcnow  # noqa: E402

WORDS = ("immigration", "refuge", "mental health", "advice", "contraception", "housing")
SPANISH = {
    "immigration": "inmigración",
    "refuge": "refugio",
    "mental": "mental",
    "health": "salud",
    "advice": "asesoramiento",
    "contraception": "anticoncepción",
    "housing": "vivienda",
    "legal": "jurídico",
    "emergency": "emergencia",
    "accommodation": "alojamiento",
    "sexual": "sexual",
    "synthetic": "sintético",
}
PALABRAS = ("inmigracion", "refugio", "salud mental", "asesoramiento", "anticoncepcion", "vivienda")
PER_PAGE = 25
BATCH = 5_000


def _spanish(words: str) -> str:
    return " ".join(SPANISH.get(word.lower().strip(":.#,"), word) for word in words.split())


def _prepare(database: Path, listings: int, env: dict[str, str]) -> None:
    if not database.exists():
        seed_synthetic(listings=listings, env=env)


def _translate_half(app: object) -> int:
    """Give every second service (by id) a Spanish name and description; return how many."""
    with app.app_context():  # type: ignore[attr-defined]
        session = get_session()
        if session.scalar(select(Translation.id).limit(1)) is not None:
            return int(session.scalar(text("SELECT count(DISTINCT record_id) FROM translation")) or 0)
        started = time.perf_counter()
        rows = session.execute(
            select(Service.id, Service.name, Service.description).order_by(Service.id)
        ).all()
        chosen = rows[::2]
        now = utcnow()
        for start in range(0, len(chosen), BATCH):
            batch = chosen[start : start + BATCH]
            translations = []
            updates = []
            for service_id, name, description in batch:
                name_es, description_es = _spanish(name), _spanish(description or "")
                for field, value in (("name", name_es), ("description", description_es)):
                    translations.append(
                        {
                            "id": uuid.uuid4(),
                            "record_kind": "service",
                            "record_id": service_id,
                            "field": field,
                            "language": "es",
                            "text": value,
                            "created": now,
                            "modified": now,
                        }
                    )
                updates.append(
                    {"service_key": service_id, "extra": " " + fold(f"{description_es} {name_es}")}
                )
            session.execute(Translation.__table__.insert(), translations)
            table = Service.__table__
            session.execute(
                table.update()
                .where(table.c.id == bindparam("service_key", type_=Uuid))
                .values(search_text=table.c.search_text + bindparam("extra")),
                updates,
            )
            session.commit()
        print(f"translated {len(chosen):,} services in {time.perf_counter() - started:.0f} s", flush=True)
        return len(chosen)


def _cases(requests: int) -> dict[str, list[tuple[str, dict[str, str]]]]:
    words = [urllib.parse.quote_plus(w) for w in itertools.islice(itertools.cycle(WORDS), requests)]
    palabras = [urllib.parse.quote_plus(w) for w in itertools.islice(itertools.cycle(PALABRAS), requests)]
    header = {"Accept-Language": "es-ES, es;q=0.9, en;q=0.5"}
    return {
        "plain": [(f"/api/v1/services?search={word}&per_page={PER_PAGE}", {}) for word in words],
        "lang=es": [(f"/api/v1/services?search={word}&per_page={PER_PAGE}&lang=es", {}) for word in words],
        "header": [(f"/api/v1/services?search={word}&per_page={PER_PAGE}", header) for word in words],
        "spanish": [(f"/api/v1/services?search={word}&per_page={PER_PAGE}&lang=es", {}) for word in palabras],
    }


def main() -> None:
    """Build the directory, translate half of it, time each case and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40, help="timed requests a case")
    args = parser.parse_args()
    database = ROOT / "instance" / f"translated-{args.listings}.db"
    database.parent.mkdir(exist_ok=True)
    env = {**os.environ, "APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{database}"}
    _prepare(database, args.listings, env)
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": env["DATABASE_URL"]})
    translated = _translate_half(app)
    client = app.test_client()
    cases = _cases(args.requests)
    shown = {}
    for name, requests in cases.items():  # one untimed pass: every case is timed in the same state
        for path, headers in requests:
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.get_json())
        shown[name] = response.get_json()["total_items"]
    medians = {}
    for name, requests in cases.items():
        times = []
        for path, headers in requests:
            started = time.perf_counter()
            client.get(path, headers=headers).get_data()
            times.append((time.perf_counter() - started) * 1000)
        medians[name] = statistics.median(times)
    print(f"\n{args.listings:,} listings, {translated:,} in Spanish; medians of {args.requests} (ms)")
    print(f"{'case':>10} {'median':>9} {'/ plain':>8} {'last total_items':>17}")
    for name, median in medians.items():
        print(f"{name:>10} {median:>9.1f} {median / medians['plain']:>8.2f} {shown[name]:>17,}")


if __name__ == "__main__":
    main()
