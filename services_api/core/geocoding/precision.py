"""How precisely a location's point is known, and what a partner is told when it is only approximate.

`exact` is a point given with the record (by the partner, the operator or a file). The others are
the level a geocoder matched the address at: the address itself, its street, its (unit) postcode,
or only the centre of a postcode sector, a postcode district or a town. Those last four are
approximate: the point may lie kilometres from the place, so the partner is asked to confirm it.
"""

from __future__ import annotations

import re
from typing import Any

EXACT = "exact"
ADDRESS = "address"
STREET = "street"
POSTCODE = "postcode"
SECTOR = "sector"
DISTRICT = "district"
CITY = "city"
# Most precise first.
PRECISIONS = (EXACT, ADDRESS, STREET, POSTCODE, SECTOR, DISTRICT, CITY)
APPROXIMATE = frozenset({STREET, SECTOR, DISTRICT, CITY})
CONFIRM = "check it and send the location's latitude and longitude (these, if they are right) to confirm it"
WHERE_PLACED = {
    STREET: "somewhere on its street",
    SECTOR: "at the centre of its postcode sector",
    DISTRICT: "at the centre of its postcode district",
    CITY: "at the centre of its town or city",
}

# Countries whose full postcode names a handful of addresses (a unit postcode), normalised (no
# spaces or dashes). Elsewhere a postcode (a US ZIP code, a German PLZ, an Australian postcode)
# covers a whole district, and its centre is only approximate.
UNIT_POSTCODES = {
    "GB": re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$"),
    "CA": re.compile(r"^[A-Z]\d[A-Z]\d[A-Z]\d$"),
    "IE": re.compile(r"^[A-Z]\d[\dW][A-Z\d]{4}$"),
    "NL": re.compile(r"^\d{4}[A-Z]{2}$"),
    "US": re.compile(r"^\d{9}$"),  # ZIP+4
}

# Nominatim's place_rank of a result (https://nominatim.org/release-docs/latest/customize/Ranking/):
# the lowest rank of each level. Below a town (a county, a state, a country) nothing is placed.
NOMINATIM_RANKS = ((28, ADDRESS), (26, STREET), (21, DISTRICT), (13, CITY))


def is_approximate(precision: str | None) -> bool:
    """Return whether a point of this precision is only a centre the partner should confirm."""
    return precision in APPROXIMATE


def coarser(first: str, second: str) -> str:
    """Return the less precise of two precisions."""
    return max(first, second, key=PRECISIONS.index)


def postcode_precision(code: str, country: str | None) -> str:
    """Return how precise the centre of a whole postcode is: a unit postcode's, or a district's."""
    pattern = UNIT_POSTCODES.get((country or "").upper())
    normalised = re.sub(r"[\s-]", "", code).upper()
    return POSTCODE if pattern is not None and pattern.match(normalised) else DISTRICT


def precision_of_result(raw: Any) -> str | None:
    """Return the precision a geocoder's answer states about itself, "" for too coarse, None if unsaid.

    The offline gazetteer says `precision`; Nominatim gives `place_rank`.
    """
    if not isinstance(raw, dict):
        return None
    stated = raw.get("precision")
    if stated in PRECISIONS:
        return str(stated)
    rank = raw.get("place_rank")
    if isinstance(rank, int | float | str) and str(rank).strip().isdigit():
        return next((level for lowest, level in NOMINATIM_RANKS if int(rank) >= lowest), "")
    return None


def confirmation_warnings(precision: str | None) -> dict[str, str]:
    """Return what a partner is told about an approximate point, by field (none when it is precise)."""
    if not is_approximate(precision):
        return {}
    return {
        "/latitude": f"approximate: placed only {WHERE_PLACED[str(precision)]} from the address; {CONFIRM}"
    }
