"""Offline geocoding: place names and postcodes resolved from the gazetteer tables, never the network."""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from geopy.geocoders.base import Geocoder
from geopy.location import Location as GeopyLocation
from sqlalchemy import delete, func, insert, inspect, select
from sqlalchemy.orm import Session

from services_api.core.geocoding import precision
from services_api.core.search.text import fold
from services_api.geo.sphere import Point, distance_km
from services_api.models import Place, PlaceName, Postcode

# Earlier files win for a place in two of them (the UK file has the finer kinds and areas).
PLACE_FILES = ("gazetteer/places_gb.tsv.gz", "gazetteer/cities15000.tsv")
ADMIN1_NAMES_FILE = "gazetteer/admin1_names.tsv"
POSTCODE_FILES = ("gazetteer/postcodes*.tsv", "gazetteer/postcodes*.tsv.gz")
BATCH = 5000
CITY_POPULATION = 100_000
TOWN_POPULATION = 5_000
UK_UNIT = re.compile(r"^(?P<district>[A-Z]{1,2}[0-9][A-Z0-9]?)(?P<sector>[0-9])[A-Z]{2}$")
UK_SECTOR = re.compile(r"^(?P<district>[A-Z]{1,2}[0-9][A-Z0-9]?) +(?P<sector>[0-9])$")
UK_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
POSTCODE = "postcode"
SECTOR = "postcode sector"
DISTRICT = "postcode district"
# How precisely a partner's address is placed by a UK sector or district (core/geocoding/precision.py);
# a whole postcode's precision depends on its country (a US ZIP covers a district).
PRECISION_OF_KIND = {SECTOR: precision.SECTOR, DISTRICT: precision.DISTRICT}
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
                            # the kind the data gives (postcode, sector, district), else told by the
                            # code's shape; a code found only by its outward part is a district's
                            "precision": PRECISION_OF_KIND.get(row.kind or "")
                            or (
                                precision.postcode_precision(row.code, row.country_code)
                                if index == 0
                                else precision.DISTRICT
                            ),
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
                    "precision": precision.CITY,
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
    """Return the stored postcode forms to try: the whole code, then (UK style) its sector and district."""
    return postcode_candidates(text)


def postcode_candidates(text: str) -> list[str]:
    """Return the stored forms a postcode may match, finest first: the code, its sector, its district.

    Sectors are stored with their space ("SE1 7"), since without it one could be a district ("SE17").
    """
    upper = " ".join(text.strip().upper().split())
    sector = UK_SECTOR.match(upper)
    if sector:
        return [f"{sector['district']} {sector['sector']}", sector["district"]]
    code = normalise_postcode(text)
    if not code or not any(char.isdigit() for char in code) or len(code) > 10:
        return []
    candidates = [code]
    unit = UK_UNIT.match(code)
    if unit:
        candidates += [f"{unit['district']} {unit['sector']}", unit["district"]]
        return candidates
    parts = upper.split()
    if len(parts) == 2 and parts[0] != code:
        candidates.append(parts[0])
    return candidates


def postcode_kind(country_code: str, code: str) -> str:
    """Return what a stored code is: a postcode, or (UK) a postcode sector or district."""
    if country_code == "GB" and UK_SECTOR.match(code):
        return SECTOR
    if country_code in ("GB", "CA") and UK_DISTRICT.match(code):
        return DISTRICT
    return POSTCODE


def place_kind(*, feature_code: str | None, population: int, part_of: str | None) -> str:
    """Return what a place is: city, town, village, neighbourhood or borough."""
    if feature_code == "ADM3":
        return "borough"
    if population >= CITY_POPULATION or feature_code == "PPLC":
        return "city"
    if feature_code == "PPLX" or part_of:
        return "neighbourhood"
    if population >= TOWN_POPULATION or feature_code is None:
        return "town"
    return "village"


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
    place_files = [seed_dir / name for name in PLACE_FILES if (seed_dir / name).exists()]
    if _count(session, Place) != len(_place_ids(place_files)) or _unkinded(session, Place):
        session.execute(delete(PlaceName))
        session.execute(delete(Place))
        added += _insert_places(session, place_files, _admin1_names(seed_dir / ADMIN1_NAMES_FILE))
    postcode_files = postcode_files_in(seed_dir)
    if _count(session, Postcode) != len(_postcode_rows(postcode_files)) or _unkinded(session, Postcode):
        session.execute(delete(Postcode))
        added += insert_postcodes(session, postcode_files)
    return added


def postcode_files_in(seed_dir: Path) -> list[Path]:
    """Return the shipped postcode files, real data before the demo's (earlier files win a code)."""
    files = {path for pattern in POSTCODE_FILES for path in seed_dir.glob(pattern)}
    return sorted(files, key=lambda path: ("demo" in path.name, path.name))


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _columns(session: Session, model: Any) -> set[str]:
    """Return the columns the table has in this database (fewer than the model's before a migration)."""
    return {column["name"] for column in inspect(session.connection()).get_columns(model.__tablename__)}


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows in batches, leaving out values for columns a not yet migrated table lacks."""
    columns = _columns(session, model)
    if rows and not set(rows[0]) <= columns:
        rows = [{key: value for key, value in row.items() if key in columns} for row in rows]
    for start in range(0, len(rows), BATCH):
        session.execute(insert(model), rows[start : start + BATCH])


def _unkinded(session: Session, model: Any) -> bool:
    """Return whether rows loaded before places and postcodes had kinds are still there."""
    if "kind" not in _columns(session, model):
        return False
    return (
        session.execute(select(model.country_code).where(model.kind.is_(None)).limit(1)).first() is not None
    )


def _open(path: Path) -> TextIO:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with _open(path) as handle:
        yield from csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")


def _place_ids(paths: list[Path]) -> set[int]:
    return {int(row["geonameid"]) for path in paths for row in _rows(path)}


def _admin1_names(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    return {row["code"]: row["name"] for row in _rows(path)}


def _insert_places(session: Session, paths: list[Path], admin1: dict[str, str]) -> int:
    places: dict[int, dict[str, Any]] = {}
    names: list[dict[str, Any]] = []
    for path in paths:
        for row in _rows(path):
            place_id = int(row["geonameid"])
            if place_id in places:
                continue
            population = int(row["population"] or 0)
            part_of = row.get("part_of") or None
            places[place_id] = {
                "id": place_id,
                "name": row["name"],
                "country_code": row["country_code"],
                "admin1_code": row["admin1_code"] or None,
                "latitude": float(row["latitude"]),
                "longitude": float(row["longitude"]),
                "population": population,
                "time_zone": row["timezone"] or None,
                "kind": place_kind(
                    feature_code=row.get("feature_code") or None, population=population, part_of=part_of
                ),
                "part_of": part_of,
                "district": row.get("district") or None,
                "region": row.get("region") or admin1.get(f"{row['country_code']}.{row['admin1_code']}"),
            }
            alternates = row["alternate_names"].split("|") if row["alternate_names"] else []
            folded = {fold(name)[:200] for name in [row["name"], *alternates]} - {""}
            names += [{"folded_name": name, "place_id": place_id} for name in sorted(folded)]
    rows = list(places.values())
    _insert(session, Place, rows)
    _insert(session, PlaceName, names)
    return len(rows) + len(names)


def _postcode_key(row: dict[str, str]) -> tuple[str, str]:
    code = " ".join(row["postal_code"].strip().upper().split())
    if row.get("kind") == SECTOR or UK_SECTOR.match(code):
        return row["country_code"], code
    return row["country_code"], normalise_postcode(code)


def _postcode_rows(paths: list[Path]) -> dict[tuple[str, str], dict[str, Any]]:
    postcodes: dict[tuple[str, str], dict[str, Any]] = {}
    for path in paths:
        for row in _rows(path):
            key = _postcode_key(row)
            if key in postcodes:
                continue
            postcodes[key] = {
                "country_code": key[0],
                "code": key[1],
                "kind": row.get("kind") or postcode_kind(*key),
                "place_name": row.get("place_name") or None,
                "part_of": row.get("part_of") or None,
                "district": row.get("district") or None,
                "region": row.get("region") or None,
                "latitude": float(row["latitude"]),
                "longitude": float(row["longitude"]),
            }
    return postcodes


def insert_postcodes(session: Session, paths: list[Path]) -> int:
    """Insert the postcodes of the given files (the first file wins a code); return how many."""
    rows = list(_postcode_rows(paths).values())
    _insert(session, Postcode, rows)
    return len(rows)
