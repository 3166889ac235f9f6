"""Build small HSDS documents for tests and import them the way the seed does."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import text

from services_api.core.hsds.documents import import_organizations
from services_api.db import get_session


def listing(
    name: str,
    latitude: float,
    longitude: float,
    *,
    confidential: bool = False,
    time_zone: str = "UTC",
    vetting_status: str = "vetted",
    schedules: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Return an organisation with one vetted service at one location."""
    organization_id, service_id, location_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    return {
        "id": str(organization_id),
        "name": f"{name} organisation",
        "description": "A test organisation.",
        "locations": [
            {
                "id": str(location_id),
                "location_type": "physical",
                "name": f"{name} place",
                "latitude": latitude,
                "longitude": longitude,
                "confidential": confidential,
                "time_zone": time_zone,
                "addresses": [
                    {
                        "id": str(uuid.uuid4()),
                        "address_1": f"{abs(hash(name)) % 900 + 100} Test Street",
                        "city": "Testville",
                        "state_province": "Test",
                        "postal_code": "T35 7ZZ",
                        "country": "FJ",
                        "address_type": "physical",
                    }
                ],
            }
        ],
        "services": [
            {
                "id": str(service_id),
                "name": name,
                "description": f"{name} for tests.",
                "status": "active",
                "vetting_status": vetting_status,
                "last_verified_at": datetime.now(UTC).date().isoformat(),
                "service_at_locations": [
                    {"id": str(uuid.uuid4()), "location_id": str(location_id), "schedules": schedules or []}
                ],
            }
        ],
    }


def import_listings(app: Flask, documents: list[dict[str, Any]]) -> None:
    """Import organisation documents as the operator would, and commit."""
    with app.app_context():
        session = get_session()
        import_organizations(session, documents, trusted=True)
        session.commit()


def shows(value: str, text: str) -> bool:
    """Return whether `value` appears in `text` on its own, not inside a longer number, id or timestamp.

    A postcode such as 3070 can turn up inside a coordinate, a UUID group or a timestamp's microseconds.
    """
    return re.search(rf"(?<![0-9A-Za-z.-]){re.escape(value)}(?![0-9A-Za-z-])", text) is not None


# PostgreSQL's place index (migration 0008) against what its triggers derive it from, both ways.
PLACE_INDEX = "SELECT id, service_id, location_id, latitude, longitude, listed_day, terms FROM place_index"
PLACE_INDEX_DIFFERENCES = f"""
    SELECT count(*) FROM (
      ({PLACE_INDEX} EXCEPT {PLACE_INDEX}_source) UNION ALL ({PLACE_INDEX}_source EXCEPT {PLACE_INDEX})
    ) AS differences"""


def place_index_differences(session: Any) -> int:
    """Return how many rows PostgreSQL's place index holds that its source does not, or lacks."""
    return int(session.scalar(text(PLACE_INDEX_DIFFERENCES)))
