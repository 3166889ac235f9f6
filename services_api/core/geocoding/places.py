"""Resolve what a person types as a place (`Camden, London`, `M13 9PL`) toward where the directory is.

Names and postcodes are looked up in the gazetteer tables only: no network, nothing logged. An
unqualified name is looked for in the directory's countries (DIRECTORY_COUNTRIES, else the
countries of the listings' addresses); among its matches the one that is biggest and nearest the
directory's listings wins, and the others are returned so a client can ask "Did you mean …?". A
name found only elsewhere, or not at all, raises UnknownPlaceError with up to five suggestions.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from services_api.core.geocoding.footprint import FAR_KM, Footprint, directory_footprint
from services_api.core.geocoding.gazetteer import (
    POSTCODE,
    SECTOR,
    UK_SECTOR,
    UK_UNIT,
    normalise_postcode,
    postcode_candidates,
)
from services_api.core.search.generations import GAZETTEER
from services_api.core.search.generations import kept as kept_answer
from services_api.core.search.text import fold
from services_api.geo.sphere import Point, distance_km
from services_api.models import Place, PlaceName, Postcode

MAX_SUGGESTIONS = 5
MAX_OTHERS = 5
MAX_CANDIDATES = 200
# A gazetteer changes only when an operator loads one: a second's delay before every process uses
# it saves PostgreSQL's round trip (about as long as the 2 ms a lookup may take) on every lookup.
GAZETTEER_RECHECK_SECONDS = 1.0
SAME_PLACE_KM = 3.0
FUZZY_CUTOFF = 80.0
CLOSE_SPELLING = 90.0
# The size a place of each kind counts for when GeoNames gives it no population.
POPULATION_FLOOR = {
    "city": 100_000,
    "borough": 100_000,
    "town": 5_000,
    "neighbourhood": 1_000,
    "village": 300,
}
# Beyond this, every place is simply far from the listings, and size alone tells places apart.
FAR_FROM_LISTINGS_KM = 300.0
ALTERNATE_NAME_PENALTY = 0.5
# An alternate name this close to the place's own name is a recorded misspelling ("Mancester").
MISSPELLING_RATIO = 85.0
COUNTRY_ALIASES = {
    "uk": "GB",
    "u.k.": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "britain": "GB",
    "gb": "GB",
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "united states": "US",
    "united states of america": "US",
    "america": "US",
    "canada": "CA",
    "australia": "AU",
    "new zealand": "NZ",
    "ireland": "IE",
    "republic of ireland": "IE",
    "germany": "DE",
    "deutschland": "DE",
    "france": "FR",
    "spain": "ES",
    "espana": "ES",
    "italy": "IT",
    "italia": "IT",
    "netherlands": "NL",
    "the netherlands": "NL",
    "belgium": "BE",
    "portugal": "PT",
    "japan": "JP",
    "mexico": "MX",
    "brazil": "BR",
    "brasil": "BR",
    "india": "IN",
    "south africa": "ZA",
    "thailand": "TH",
}


@dataclass(frozen=True)
class ResolvedPlace:
    """A place the gazetteer holds, as a search says it back."""

    name: str
    kind: str
    precision: str
    country: str
    latitude: float
    longitude: float
    region: str | None = None
    district: str | None = None
    part_of: str | None = None
    population: int = 0

    @property
    def point(self) -> Point:
        """Return the place's point."""
        return Point(self.latitude, self.longitude)

    @property
    def near(self) -> str:
        """Return a `near=` value that resolves to this place: its name, district or city, country."""
        parts = [self.name]
        if self.district and fold(self.district) not in {fold(self.name), fold(f"Greater {self.part_of}")}:
            parts.append(self.district)
        if self.part_of and fold(self.part_of) not in {fold(part) for part in parts}:
            parts.append(self.part_of)
        if len(parts) == 1 and self.region:
            parts.append(self.region)
        return ", ".join([*parts, self.country])

    def as_json(self) -> dict[str, object]:
        """Return the place as the page envelope's `place` member shows it."""
        return {
            "name": self.name,
            "kind": self.kind,
            "part_of": self.part_of,
            "district": self.district,
            "region": self.region,
            "country": self.country,
            "latitude": round(self.latitude, 5),
            "longitude": round(self.longitude, 5),
            "precision": self.precision,
            "near": self.near,
        }


@dataclass(frozen=True)
class Resolution:
    """The place a search used, and the other places its name could have meant."""

    place: ResolvedPlace
    others: tuple[ResolvedPlace, ...] = ()


class UnknownPlaceError(LookupError):
    """No place or postcode by this name in the directory's countries; `suggestions` are near misses."""

    def __init__(self, query: str, countries: Iterable[str], suggestions: Sequence[ResolvedPlace]):
        where = f" in {', '.join(sorted(countries))}" if countries else ""
        super().__init__(f"No place or postcode {query!r} in the gazetteer{where}.")
        self.suggestions = tuple(suggestions)


def resolve_place(session: Session, *, query: str, countries: Sequence[str] | None = None) -> Resolution:
    """Return the place `query` names, toward the directory's countries; raise UnknownPlaceError."""
    footprint = directory_footprint(session)
    allowed = frozenset(code.upper() for code in countries) if countries else footprint.countries
    name, qualifiers, country = _parse(query)
    within = frozenset({country}) if country else allowed
    postcodes, matches, misspelt = _candidates(session, name, within)
    if postcodes:
        inside = [place for place in postcodes if not within or place.country in within]
        if not inside:
            raise UnknownPlaceError(query, within, postcodes[:MAX_SUGGESTIONS])
        return Resolution(inside[0])
    kept = [place for place in matches if _fits(place, within, qualifiers)]
    if not kept:
        suggestions = _suggestions(session, name, within, matches, misspelt)
        raise UnknownPlaceError(query, within, suggestions)
    ranked = sorted(kept, key=lambda place: _score(place, footprint, fold(name)), reverse=True)
    chosen = ranked[0]
    others = [place for place in ranked[1:] if distance_km(place.point, chosen.point) > SAME_PLACE_KM]
    if not qualifiers and not country:
        others += [place for place in matches if place.country not in within]
    # "Did you mean" offers places called what was typed: one that only once bore the name, or has it
    # among its many alternate names (Paterson, New Jersey for Manchester), would puzzle a reader.
    others = [place for place in others if _squeezed(place.name) == _compact(fold(name))]
    return Resolution(chosen, tuple(_distinct(others, MAX_OTHERS)))


Candidates = tuple[tuple["ResolvedPlace", ...], tuple["ResolvedPlace", ...], tuple["ResolvedPlace", ...]]


def _candidates(session: Session, name: str, within: frozenset[str]) -> Candidates:
    """Return the postcodes the name may be, else the places of that name and those it misspells.

    Kept in this process while the gazetteer is unchanged (`generations`), whose generation is
    read at most once every `GAZETTEER_RECHECK_SECONDS`: a repeated name costs no query, and a
    newly loaded gazetteer is used within that time.
    """

    def compute() -> Candidates:
        postcodes = _postcodes(session, name)
        if postcodes:
            return tuple(postcodes), (), ()
        matches, misspelt = _name_matches(session, name, within)
        return (), tuple(matches), tuple(misspelt)

    key = ("place candidates", name, within)
    return kept_answer(
        session, kind=GAZETTEER, key=key, compute=compute, recheck_seconds=GAZETTEER_RECHECK_SECONDS
    )


def _parse(query: str) -> tuple[str, list[str], str | None]:
    """Split `Camden, London, UK` into the name, its qualifiers and the country code named last."""
    parts = [part.strip() for part in query.split(",")]
    parts = [part for part in parts if part]
    if not parts:
        return "", [], None
    name, qualifiers = parts[0], parts[1:]
    country = None
    if qualifiers:
        last = fold(qualifiers[-1])
        if last in COUNTRY_ALIASES:
            country = COUNTRY_ALIASES[last]
        elif len(last) == 2 and last.isalpha():
            country = last.upper()
        if country:
            qualifiers = qualifiers[:-1]
    return name, [fold(qualifier) for qualifier in qualifiers], country


def _postcodes(session: Session, text: str) -> list[ResolvedPlace]:
    """Return the postcodes the text may be, finest first (the code, then its sector, then its district)."""
    candidates = postcode_candidates(text)
    if not candidates:
        return []
    rows = session.scalars(select(Postcode).where(Postcode.code.in_(candidates))).all()
    rows = sorted(rows, key=lambda row: (candidates.index(row.code), row.country_code))
    return [_postcode(text, row) for row in rows]


def _postcode(text: str, row: Postcode) -> ResolvedPlace:
    asked = _asked_kind(text, row)
    return ResolvedPlace(
        name=_display_code(text) if asked == POSTCODE else _display_code(row.code),
        kind=asked,
        precision=row.kind or POSTCODE,
        country=row.country_code,
        latitude=row.latitude,
        longitude=row.longitude,
        region=row.region,
        district=row.district,
        part_of=row.part_of or row.place_name,
    )


def _asked_kind(text: str, row: Postcode) -> str:
    """Return what the person typed: a whole postcode, a sector or a district."""
    upper = " ".join(text.strip().upper().split())
    if UK_SECTOR.match(upper):
        return SECTOR
    if UK_UNIT.match(normalise_postcode(text)) or normalise_postcode(text) != normalise_postcode(row.code):
        return POSTCODE
    return row.kind or POSTCODE


def _display_code(code: str) -> str:
    """Return a UK postcode with its space (`SE17PB` -> `SE1 7PB`); others as typed, upper-cased."""
    upper = " ".join(code.strip().upper().split())
    unit = UK_UNIT.match(normalise_postcode(upper))
    if unit:
        compact = normalise_postcode(upper)
        return f"{compact[:-3]} {compact[-3:]}"
    return upper


def _name_matches(
    session: Session, name: str, within: frozenset[str]
) -> tuple[list[ResolvedPlace], list[ResolvedPlace]]:
    """Return the places of this name and those whose recorded alternate names misspell their own.

    Names match ignoring case and accents; when none does, ignoring spaces and punctuation too.
    """
    folded = fold(name)
    if not folded:
        return [], []
    places = session.scalars(
        select(Place)
        .join(PlaceName, PlaceName.place_id == Place.id)
        .where(PlaceName.folded_name == folded)
        .order_by(Place.population.desc(), Place.id)
        .limit(MAX_CANDIDATES)
    ).all()
    if not places and len(_compact(folded)) >= 3:
        # The same letters spaced or punctuated otherwise ("Kingscross", "Moss-Side") name the same places.
        ids = _spelling_index(session, within).ids.get(_compact(folded), [])[:MAX_CANDIDATES]
        places = session.scalars(
            select(Place).where(Place.id.in_(ids)).order_by(Place.population.desc(), Place.id)
        ).all()
    matches: list[ResolvedPlace] = []
    misspelt: list[ResolvedPlace] = []
    for place in places:
        own = _squeezed(place.name)
        typo = own != _compact(folded) and fuzz.ratio(own, _compact(folded)) >= MISSPELLING_RATIO
        (misspelt if typo else matches).append(_resolved(place))
    return matches, misspelt


def _resolved(place: Place) -> ResolvedPlace:
    kind = place.kind or "town"
    return ResolvedPlace(
        name=place.name,
        kind=kind,
        precision=kind,
        country=place.country_code,
        latitude=place.latitude,
        longitude=place.longitude,
        region=place.region,
        district=place.district,
        part_of=place.part_of,
        population=place.population or 0,
    )


def _fits(place: ResolvedPlace, within: frozenset[str], qualifiers: Sequence[str]) -> bool:
    if within and place.country not in within:
        return False
    if not qualifiers:
        return True
    names = _area_names(place)
    return all(qualifier in names for qualifier in qualifiers)


def _area_names(place: ResolvedPlace) -> set[str]:
    """Return the names a qualifier may give for where the place is: its city, district, region."""
    names = set()
    for area in (place.part_of, place.district, place.region):
        if area:
            folded = fold(area)
            names.add(folded)
            for prefix in ("greater ", "city of ", "county of ", "royal borough of ", "london borough of "):
                names.add(folded.removeprefix(prefix))
    return names


def _score(place: ResolvedPlace, footprint: Footprint, folded: str) -> tuple[float, int]:
    """Rank a candidate: bigger and nearer the directory's listings is better; its own name beats an alias."""
    size = math.log10(max(place.population, POPULATION_FLOOR.get(place.kind, 1000), 1))
    distance = (
        footprint.distance_km(place.point, cap_km=FAR_FROM_LISTINGS_KM) if footprint.buckets else FAR_KM
    )
    nearness = 2.0 * math.log10(1 + distance / 25.0) if footprint.buckets else 0.0
    alias = 0.0 if _squeezed(place.name) == _compact(folded) else ALTERNATE_NAME_PENALTY
    return size - nearness - alias, place.population


def _distinct(places: Iterable[ResolvedPlace], limit: int = MAX_SUGGESTIONS) -> list[ResolvedPlace]:
    """Return the first `limit` places, leaving out any at the spot of one kept (a town and its borough)."""
    kept: list[ResolvedPlace] = []
    for place in places:
        if all(distance_km(place.point, other.point) > SAME_PLACE_KM for other in kept):
            kept.append(place)
            if len(kept) == limit:
                break
    return kept


def _suggestions(
    session: Session,
    name: str,
    within: frozenset[str],
    matches: Sequence[ResolvedPlace],
    misspelt: Sequence[ResolvedPlace],
) -> list[ResolvedPlace]:
    """Return up to five places the person may have meant, likeliest first.

    The same name here (when a qualifier ruled it out), close spellings here, places whose recorded
    misspelling this is, the same name in other countries, then looser spellings here.
    """
    here = [place for place in matches if not within or place.country in within]
    elsewhere = [place for place in matches if place not in here]
    close, loose = kept_answer(
        session,
        kind=GAZETTEER,
        key=("near spellings", name, within),
        compute=lambda: _near_spellings(session, name, within),
        recheck_seconds=GAZETTEER_RECHECK_SECONDS,
    )
    return _distinct([*here, *close, *misspelt, *elsewhere, *loose])[:MAX_SUGGESTIONS]


def _near_spellings(
    session: Session, name: str, within: frozenset[str]
) -> tuple[list[ResolvedPlace], list[ResolvedPlace]]:
    """Return places spelt nearly like `name` (typos, missing spaces or punctuation): close, then looser."""
    folded = fold(name)
    if len(folded) < 3:
        return [], []
    index = _spelling_index(session, within)
    compact = _compact(folded)
    keys = index.by_initial.get(compact[:1], [])
    matches = process.extract(compact, keys, scorer=fuzz.ratio, limit=40, score_cutoff=FUZZY_CUTOFF)
    ids = [place_id for key, _score, _i in matches for place_id in index.ids[key]]
    if not ids:
        return [], []
    places = {place.id: place for place in session.scalars(select(Place).where(Place.id.in_(ids[:200])))}
    scores = {key: score for key, score, _i in matches}

    def score(place: Place) -> float:
        return float(scores.get(_compact(fold(place.name)), FUZZY_CUTOFF))

    ordered = sorted(
        (place for place in places.values() if not within or place.country_code in within),
        key=lambda place: (-score(place), -(place.population or 0)),
    )
    close = [_resolved(place) for place in ordered if score(place) >= CLOSE_SPELLING]
    loose = [_resolved(place) for place in ordered if score(place) < CLOSE_SPELLING]
    return close, loose


def _compact(folded: str) -> str:
    return "".join(char for char in folded if char.isalnum())


@lru_cache(maxsize=65536)
def _squeezed(name: str) -> str:
    """Return a place's name folded and without spaces or punctuation (cached: names repeat)."""
    return _compact(fold(name))


@dataclass
class _SpellingIndex:
    """The names of the places in some countries, folded and squeezed (`kingscross`), with their places.

    Keys are grouped by their first letter: a typo seldom changes it, and comparing a name with one
    group costs a twentieth of comparing it with every name.
    """

    ids: dict[str, list[int]]
    by_initial: dict[str, list[str]]


def _spelling_index(session: Session, within: frozenset[str]) -> _SpellingIndex:
    """Return the spelling index of these countries' places, kept until the gazetteer changes."""
    return kept_answer(
        session,
        kind=GAZETTEER,
        key=("spelling index", within),
        compute=lambda: _built_spelling_index(session, within),
        recheck_seconds=GAZETTEER_RECHECK_SECONDS,
    )


def _built_spelling_index(session: Session, within: frozenset[str]) -> _SpellingIndex:
    ids: dict[str, list[int]] = defaultdict(list)
    statement = select(PlaceName.folded_name, Place.id).join(Place, Place.id == PlaceName.place_id)
    if within:
        statement = statement.where(Place.country_code.in_(sorted(within)))
    for folded, place_id in session.execute(statement):
        squeezed = _compact(folded)
        if len(squeezed) >= 3 and squeezed.isascii():
            ids[squeezed].append(place_id)
    by_initial: dict[str, list[str]] = defaultdict(list)
    for squeezed in sorted(ids):
        by_initial[squeezed[0]].append(squeezed)
    return _SpellingIndex(dict(ids), dict(by_initial))
