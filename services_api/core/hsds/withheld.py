"""What our own export withholds, kept as stored when that export is imported back."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from services_api.core.hsds.tables import Tables
from services_api.models import Location


def keep_withheld_points(session: Session, tables: Tables) -> None:
    """Drop a confidential location's published point from `tables` when it is the one we publish.

    The export (and the JSON API) show a confidential location at its coarse grid point; importing
    that back must not move the stored location to it, so such a point is left out, as unchanged.
    A point that differs from the published one is a real move and is imported.
    """
    for row in tables.rows.get("location", {}).values():
        if row.get("confidential") is not True or row.get("latitude") is None or row.get("longitude") is None:
            continue
        try:
            stored = session.get(Location, uuid.UUID(str(row["id"])))
        except ValueError:
            continue  # a malformed id: the import names it
        if stored is None or not stored.confidential:
            continue
        published = (stored.public_latitude, stored.public_longitude)
        if _number(row["latitude"]) == published[0] and _number(row["longitude"]) == published[1]:
            del row["latitude"], row["longitude"]


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
