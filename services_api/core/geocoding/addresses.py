"""Placing partners' addresses on the map, through the configured geopy geocoder.

Only partners' addresses are geocoded, never a searcher's query. The default geocoder is the
offline gazetteer; Nominatim (or a compatible server) is optional and rate-limited.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder

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


def address_queries(address: Mapping[str, Any]) -> list[str]:
    """Return what to ask the geocoder for an address, most precise first."""
    parts = [str(address.get(name) or "").strip() for name in ADDRESS_PARTS]
    street, city, _region, postcode, country = parts
    queries = [", ".join(part for part in (street, city, postcode, country) if part)]
    if postcode:
        queries.append(f"{postcode}, {country}" if len(country) == 2 else postcode)
    if city:
        queries.append(f"{city}, {country}" if len(country) == 2 else city)
    return [query for query in dict.fromkeys(queries) if query]


def place_address(
    geocoder: Geocoder | Callable[..., Any], *, addresses: Sequence[Any]
) -> tuple[float, float] | None:
    """Return the point of the first address the geocoder can place, or None (never a guess)."""
    geocode = geocoder.geocode if isinstance(geocoder, Geocoder) else geocoder
    for address in addresses:
        if not isinstance(address, Mapping):
            continue
        for query in address_queries(address):
            try:
                found = geocode(query)
            except GeopyError:
                return None
            if found is not None:
                return float(found.latitude), float(found.longitude)
    return None
