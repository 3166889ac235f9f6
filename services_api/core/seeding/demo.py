"""Load the shipped taxonomies and the demo directory through the HSDS import."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services_api.core.geocoding.gazetteer import load_gazetteer
from services_api.core.hsds.documents import import_organizations, import_taxonomy
from services_api.core.search.text import refresh_search_text
from services_api.models import Organization, Service, utcnow

SEED_DIR = Path(__file__).resolve().parents[3] / "seed_data"
TAXONOMY_FILES = ("taxonomies/categories.json", "taxonomies/access_safety.json")
DEMO_FILE = "demo_directory.json"
TRANSLATIONS_FILE = "demo_translations.json"
SHIFTED_DATE_FIELDS = ("last_verified_at", "assured_date")


@dataclass
class SeedResult:
    """How many records the seed created and changed."""

    created: int = 0
    changed: int = 0


def load_json(relative_path: str, *, seed_dir: Path = SEED_DIR) -> Any:
    """Read one JSON file from seed_data/."""
    return json.loads((seed_dir / relative_path).read_text(encoding="utf-8"))


def seed_taxonomies(session: Session, seed_dir: Path = SEED_DIR) -> SeedResult:
    """Create or update the category and access & safety taxonomies."""
    result = SeedResult()
    for relative_path in TAXONOMY_FILES:
        data = load_json(relative_path, seed_dir=seed_dir)
        outcome = import_taxonomy(session, taxonomy=data["taxonomy"], terms=data["terms"])
        result.created += len(outcome.created)
        result.changed += len(outcome.changed)
    return result


def seed_demo_directory(
    session: Session, *, today: date | None = None, seed_dir: Path = SEED_DIR
) -> SeedResult:
    """Create or update the demo directory, its verification dates moved to be as recent as shipped."""
    data = load_json(DEMO_FILE, seed_dir=seed_dir)
    offset = (today or utcnow().date()) - date.fromisoformat(data["reference_date"])
    organizations = [_shift_dates(organization, offset) for organization in data["organizations"]]
    outcome = import_organizations(session, organizations, trusted=True)
    seed_demo_translations(session, seed_dir=seed_dir)
    return SeedResult(created=len(outcome.created), changed=len(outcome.changed))


def seed_demo_translations(session: Session, *, seed_dir: Path = SEED_DIR) -> int:
    """Store the demo listings' fictional translations (each language's text as shipped); return how many."""
    # Imported here: the listings package reaches the HSDS tables, which read SEED_DIR from this module.
    from services_api.core.listings.translations import MODELS, write_texts

    path = seed_dir / TRANSLATIONS_FILE
    if not path.exists():
        return 0
    entries = load_json(TRANSLATIONS_FILE, seed_dir=seed_dir)["translations"]
    services = {}
    for entry in entries:
        record = session.get(MODELS[entry["record_kind"]], uuid.UUID(entry["record_id"]))
        if record is None:
            continue
        write_texts(session, record=record, language=entry["language"], texts=entry["text"])
        if isinstance(record, Service):
            services[record.id] = record
    for service in services.values():
        refresh_search_text(service)
    session.flush()
    return len(entries)


def _shift_dates(organization: dict[str, Any], offset: timedelta) -> dict[str, Any]:
    for service in organization.get("services", []):
        for name in SHIFTED_DATE_FIELDS:
            if service.get(name):
                service[name] = (date.fromisoformat(service[name][:10]) + offset).isoformat()
    return organization


def seed_gazetteer(session: Session, seed_dir: Path = SEED_DIR) -> int:
    """Load the offline gazetteer (places and postcodes) unless it is already loaded."""
    return load_gazetteer(session, seed_dir)


def directory_is_empty(session: Session) -> bool:
    """Return whether no organisation has been stored yet."""
    return session.scalar(select(func.count()).select_from(Organization)) == 0
