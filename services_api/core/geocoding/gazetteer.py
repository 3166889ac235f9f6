"""Offline geocoding: place names and postcodes resolved from the gazetteer tables, never the network."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from geopy.geocoders.base import Geocoder
from geopy.location import Location as GeopyLocation
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from services_api.core.geocoding.precision import CITY, DISTRICT, postcode_precision
from services_api.core.search.text import fold
from services_api.geo.sphere import Point, distance_km
from services_api.models import Place, PlaceName, Postcode

CITIES_FILE = "gazetteer/cities15000.tsv"
POSTCODE_FILES = "gazetteer/postcodes*.tsv"
BATCH = 5000
COUNTRY_SUFFIX = re.compile(r"^(?P<query>.+?),\s*(?P<country>[A-Za-z]{2})$")
TIME_ZONE_SEARCH_DEGREES = (0.5, 2.0, 8.0)


class GazetteerGeocoder(Geocoder):  # type: ignore[misc]  # geopy is untyped
    """A geopy geocoder that answers from the gazetteer tables: no network call, ever.

    A query is a postcode ("W1D 3QU", "M4 1AA", "10001") or a place name ("Manchester",
    "São Paulo"), optionally followed by ", CC" (an ISO 3166 country code). Places are matched by
    any of their names, ignoring case and accents; the most populous match wins.
    """

    def __init__(self, session: Session):
        super().__init__(scheme="https", timeout=0)
        self.session = session

    def geocode(self, query: str, *, exactly_one: bool = True, **_kwargs: Any) -> Any:
        """Return the best match as a geopy Location (or a list of matches), or None."""
        text, country = _split_country(query)
        matches = self._postcodes(text, country) or self._places(text, country)
        if not matches:
            return None
        return matches[0] if exactly_one else matches

    def _postcodes(self, text: str, country: str | None) -> list[GeopyLocation]:
        for index, code in enumerate(_postcode_candidates(text)):
            query = select(Postcode).where(Postcode.code == code).order_by(Postcode.country_code)
            if country:
                query = query.where(Postcode.country_code == country)
            rows = self.session.scalars(query).all()
            if rows:
                return [
                    GeopyLocation(
                        f"{row.code}, {row.country_code}",
                        (row.latitude, row.longitude),
                        {
                            "kind": "postcode",
                            "country_code": row.country_code,
                            "place_name": row.place_name,
                            # the whole code, or only its outward part (a district) after it
                            "precision": postcode_precision(row.code, row.country_code)
                            if index == 0
                            else DISTRICT,
                        },
                    )
                    for row in rows
                ]
        return []

    def _places(self, text: str, country: str | None) -> list[GeopyLocation]:
        query = (
            select(Place)
            .join(PlaceName, PlaceName.place_id == Place.id)
            .where(PlaceName.folded_name == fold(text))
            .order_by(Place.population.desc(), Place.id)
            .limit(10)
        )
        if country:
            query = query.where(Place.country_code == country)
        return [
            GeopyLocation(
                f"{place.name}, {place.country_code}",
                (place.latitude, place.longitude),
                {
                    "kind": "place",
                    "country_code": place.country_code,
                    "time_zone": place.time_zone,
                    "precision": CITY,
                },
            )
            for place in self.session.scalars(query)
        ]


def _split_country(query: str) -> tuple[str, str | None]:
    match = COUNTRY_SUFFIX.match(query.strip())
    if match:
        return match.group("query").strip(), match.group("country").upper()
    return query.strip(), None


def _postcode_candidates(text: str) -> list[str]:
    """Return the postcode forms to try: the whole code, then (UK style) its outward part."""
    code = normalise_postcode(text)
    if not code or not any(char.isdigit() for char in code) or len(code) > 10:
        return []
    candidates = [code]
    parts = text.strip().upper().split()
    if len(parts) == 2 and parts[0] != code:
        candidates.append(parts[0])
    elif len(code) in (5, 6, 7) and code[-3].isdigit() and code[-2:].isalpha():
        candidates.append(code[:-3])
    return candidates


def normalise_postcode(text: str) -> str:
    """Return a postcode upper-cased without spaces or dashes."""
    return re.sub(r"[\s-]", "", text).upper()


def time_zone_near(session: Session, point: Point) -> str:
    """Return the IANA time zone of the gazetteer place nearest the point (UTC when none is near)."""
    for spread in TIME_ZONE_SEARCH_DEGREES:
        places = session.execute(
            select(Place.latitude, Place.longitude, Place.time_zone).where(
                Place.latitude.between(point.latitude - spread, point.latitude + spread),
                Place.longitude.between(point.longitude - spread * 2, point.longitude + spread * 2),
                Place.time_zone.is_not(None),
            )
        ).all()
        if places:
            nearest = min(places, key=lambda row: distance_km(point, Point(row.latitude, row.longitude)))
            return str(nearest.time_zone)
    return "UTC"


def load_gazetteer(session: Session, seed_dir: Path) -> int:
    """Load the places and postcodes files into their tables unless already loaded; return rows added."""
    added = 0
    cities = seed_dir / CITIES_FILE
    if _count(session, Place) != _data_lines(cities):
        session.execute(delete(PlaceName))
        session.execute(delete(Place))
        added += _insert_places(session, cities)
    postcode_files = sorted(seed_dir.glob(POSTCODE_FILES))
    if _count(session, Postcode) != len(dict.fromkeys(_postcode_keys(postcode_files))):
        session.execute(delete(Postcode))
        added += _insert_postcodes(session, postcode_files)
    return added


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _data_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as lines:
        return sum(1 for _ in lines) - 1


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")


def _insert_places(session: Session, path: Path) -> int:
    places: list[dict[str, Any]] = []
    names: list[dict[str, Any]] = []
    for row in _rows(path):
        place_id = int(row["geonameid"])
        places.append(
            {
                "id": place_id,
                "name": row["name"],
                "country_code": row["country_code"],
                "admin1_code": row["admin1_code"] or None,
                "latitude": float(row["latitude"]),
                "longitude": float(row["longitude"]),
                "population": int(row["population"] or 0),
                "time_zone": row["timezone"] or None,
            }
        )
        alternates = row["alternate_names"].split("|") if row["alternate_names"] else []
        folded = {fold(name)[:200] for name in [row["name"], *alternates]} - {""}
        names += [{"folded_name": name, "place_id": place_id} for name in sorted(folded)]
    for start in range(0, len(places), BATCH):
        session.execute(insert(Place), places[start : start + BATCH])
    for start in range(0, len(names), BATCH):
        session.execute(insert(PlaceName), names[start : start + BATCH])
    return len(places) + len(names)


def _postcode_keys(paths: list[Path]) -> Iterator[tuple[str, str]]:
    for path in paths:
        for row in _rows(path):
            yield row["country_code"], normalise_postcode(row["postal_code"])


def _insert_postcodes(session: Session, paths: list[Path]) -> int:
    postcodes: dict[tuple[str, str], dict[str, Any]] = {}
    for path in paths:
        for row in _rows(path):
            key = (row["country_code"], normalise_postcode(row["postal_code"]))
            postcodes.setdefault(
                key,
                {
                    "country_code": key[0],
                    "code": key[1],
                    "place_name": row["place_name"] or None,
                    "latitude": float(row["latitude"]),
                    "longitude": float(row["longitude"]),
                },
            )
    rows = list(postcodes.values())
    for start in range(0, len(rows), BATCH):
        session.execute(insert(Postcode), rows[start : start + BATCH])
    return len(rows)
