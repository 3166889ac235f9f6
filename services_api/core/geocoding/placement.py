"""A location's point and how precisely it is known, for admin edits and partners' imports.

A point given with the record is `exact`. A physical location without one is placed from its
address by the configured geocoder, at the precision the geocoder matched; when nothing matches it
is refused (never a guess). A partner confirms an approximate point by sending coordinates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

from geopy.geocoders.base import Geocoder

from services_api.core.geocoding.addresses import Placement, locate_address
from services_api.core.geocoding.precision import EXACT, WHERE_PLACED, is_approximate

Locate: TypeAlias = Geocoder | Callable[..., Any]
PRECISION = "geocode_precision"
UNPLACED = "could not place this location from its address; give latitude and longitude"


def place_document(doc: dict[str, Any], *, sent: Mapping[str, Any], stored: Any, geocoder: Locate) -> bool:
    """Give a location's admin document its point and precision; return False when it cannot be placed.

    `doc` is what will be written (for a PATCH, the stored document with the changes merged in),
    `sent` what the client sent, `stored` the location as stored (None for a new one).
    """
    if _has_point(doc):
        if _has_point(sent) and not _sent_back_unchanged(sent, stored):
            doc[PRECISION] = EXACT  # given, or confirmed by sending it again
        return True
    if doc.get("location_type", "physical") != "physical":
        return True
    placement = locate_address(geocoder, doc.get("addresses") or [])
    if placement is None:
        return False
    doc["latitude"], doc["longitude"], doc[PRECISION] = (
        placement.latitude,
        placement.longitude,
        placement.precision,
    )
    return True


def place_row(row: dict[str, Any], *, addresses: list[dict[str, Any]], geocoder: Locate) -> Placement | None:
    """Place an imported location row without coordinates from its addresses; None when nothing matches."""
    placement = locate_address(geocoder, addresses)
    if placement is not None:
        row["latitude"], row["longitude"], row[PRECISION] = (
            placement.latitude,
            placement.longitude,
            placement.precision,
        )
    return placement


def import_warning(placement: Placement) -> str | None:
    """Return what an import tells the partner about a location placed only approximately."""
    if not is_approximate(placement.precision):
        return None
    return (
        f"approximate: placed only {WHERE_PLACED[placement.precision]} ({placement.matched}) from the "
        "address; give the location's latitude and longitude"
    )


def _has_point(doc: Mapping[str, Any]) -> bool:
    return doc.get("latitude") is not None and doc.get("longitude") is not None


def _sent_back_unchanged(sent: Mapping[str, Any], stored: Any) -> bool:
    """Whether the client sent the stored document back as it read it (a PUT of what a GET gave)."""
    if stored is None or PRECISION not in sent or sent[PRECISION] != stored.geocode_precision:
        return False
    return _same_number(sent["latitude"], stored.latitude) and _same_number(
        sent["longitude"], stored.longitude
    )


def _same_number(sent: Any, stored: Any) -> bool:
    try:
        return stored is not None and float(sent) == float(stored)
    except (TypeError, ValueError):
        return False
