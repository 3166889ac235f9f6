"""Placing partners' addresses on the map, through the configured geopy geocoder.

Only partners' addresses are geocoded, never a searcher's query. The default geocoder is the
offline gazetteer; Nominatim (or a compatible server) is optional and rate-limited.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder

from services_api.core.geocoding.precision import (
    ADDRESS,
    CITY,
    coarser,
    postcode_precision,
    precision_of_result,
)

ADDRESS_PARTS = ("address_1", "city", "state_province", "postal_code", "country")


def nominatim(
    domain: str, user_agent: str, *, scheme: str = "https", min_delay_seconds: float = 1.0
) -> Callable[..., Any]:
    """Return Nominatim's geocode wrapped in geopy's RateLimiter (one request per `min_delay_seconds`)."""
    geocoder = Nominatim(domain=domain, scheme=scheme, user_agent=user_agent, timeout=10)
    limited: Callable[..., Any] = RateLimiter(
        geocoder.geocode, min_delay_seconds=min_delay_seconds, max_retries=1, swallow_exceptions=False
    )
    return limited


@dataclass(frozen=True)
class Placement:
    """Where an address was placed, how precisely (see precision.py), and what the geocoder matched."""

    latitude: float
    longitude: float
    precision: str
    matched: str


def address_queries(address: Mapping[str, Any]) -> list[str]:
    """Return what to ask the geocoder for an address, most precise first."""
    return [query for query, _level in _queries_with_levels(address)]


def _queries_with_levels(address: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return each query with the best precision an answer to it can have."""
    parts = [str(address.get(name) or "").strip() for name in ADDRESS_PARTS]
    street, city, _region, postcode, country = parts
    postcode_level = postcode_precision(postcode, country) if postcode else CITY
    queries = [
        (
            ", ".join(part for part in (street, city, postcode, country) if part),
            ADDRESS if street else postcode_level,
        )
    ]
    if postcode:
        queries.append((f"{postcode}, {country}" if len(country) == 2 else postcode, postcode_level))
    if city:
        queries.append((f"{city}, {country}" if len(country) == 2 else city, CITY))
    levels: dict[str, str] = {}
    for query, level in queries:
        if query:
            levels.setdefault(query, level)
    return list(levels.items())


def place_address(
    geocoder: Geocoder | Callable[..., Any], *, addresses: Sequence[Any]
) -> tuple[float, float] | None:
    """Return the point of the first address the geocoder can place, or None (never a guess)."""
    placement = locate_address(geocoder, addresses)
    return (placement.latitude, placement.longitude) if placement is not None else None


def locate_address(geocoder: Geocoder | Callable[..., Any], addresses: Sequence[Any]) -> Placement | None:
    """Place the first address the geocoder can, saying how precisely; None when none can be placed."""
    geocode = geocoder.geocode if isinstance(geocoder, Geocoder) else geocoder
    for address in addresses:
        if not isinstance(address, Mapping):
            continue
        for query, level in _queries_with_levels(address):
            try:
                found = geocode(query)
            except GeopyError:
                return None
            if found is None:
                continue
            stated = precision_of_result(getattr(found, "raw", None))
            if stated == "":  # a county, a state, a country: not a place
                continue
            return Placement(
                latitude=float(found.latitude),
                longitude=float(found.longitude),
                precision=coarser(level, stated) if stated else level,
                matched=str(getattr(found, "address", "") or query),
            )
    return None
