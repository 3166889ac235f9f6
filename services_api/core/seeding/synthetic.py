"""Synthetic listings for load tests: vetted, public services scattered around gazetteer cities.

Every listing is one organisation-owned service at one physical location, with a category, some
access & safety attributes and, for some, opening hours and a language. Rows are drawn from one
`random.Random(seed)` stream, listing by listing, so a seed always gives the same ids and points
(whatever the batch size), and they are written in batches with Core executemany inserts on SQLite
and COPY on PostgreSQL. Neither runs the ORM hooks, so every derived column is filled here; the
SQLite R*Tree is filled by its INSERT trigger and the PostGIS geography column is generated.
"""

from __future__ import annotations

import bisect
import functools
import math
import operator
import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import ColumnElement, Table, insert, literal_column, select
from sqlalchemy.orm import Session

from services_api.core.errors import ConflictError
from services_api.core.geocoding.gazetteer import load_gazetteer
from services_api.core.search.text import fold
from services_api.core.seeding.demo import SEED_DIR, seed_taxonomies
from services_api.geo.public_point import public_point_columns
from services_api.geo.sphere import EARTH_RADIUS_KM
from services_api.models import Base, Organization, Place, TaxonomyTerm, VettingStatus, utcnow

Row = dict[str, Any]
Batch = dict[str, list[Row]]

CATEGORY_TAXONOMY = "sw-categories"
ACCESS_TAXONOMY = "sw-access-safety"
# Attributes go in before the places, so on SQLite the place index reads a service's terms once.
TABLES = ("organization", "service", "attribute", "location", "service_at_location", "schedule", "language")
STAMPS = ("created", "modified")
# Each commit writes back every index page the batch touched; random ids touch most of them, so
# bigger batches write less (500,000 listings on SQLite: 175 s by 10,000, 145 s by 100,000). A
# batch of 50,000 holds about 170 MiB of rows in memory.
BATCH_SIZE = 50_000
LISTINGS_PER_ORGANIZATION = 20
CONFIDENTIAL_SHARE = 0.02
SCHEDULE_SHARE = 0.6
LANGUAGE_SHARE = 0.3
ACCESS_TERMS = (2, 4)
VERIFIED_WITHIN = timedelta(days=90)
SMALL_TOWN, MEGACITY = 15_000, 20_000_000
SMALL_TOWN_SIGMA_KM, MEGACITY_SIGMA_KM = 2.0, 15.0
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
MAX_LATITUDE = 89.9
MIN_COS_LATITUDE = 0.01
LANGUAGES = (
    ("en", "English"),
    ("es", "Spanish"),
    ("pt", "Portuguese"),
    ("ro", "Romanian"),
    ("th", "Thai"),
    ("zh", "Chinese"),
    ("fr", "French"),
)
WEEKLY_HOURS = (
    ("MO,TU,WE,TH,FR", time(9), time(17), "Monday to Friday, 09:00 to 17:00"),
    ("MO,TU,WE,TH,FR", time(10), time(18), "Monday to Friday, 10:00 to 18:00"),
    ("TU,TH", time(18), time(22), "Tuesday and Thursday evenings, 18:00 to 22:00"),
    ("MO,WE,FR", time(12), time(20), "Monday, Wednesday and Friday, 12:00 to 20:00"),
)


class SeedAlreadyUsedError(ConflictError):
    """The listings of this seed are already in the database."""


@dataclass(frozen=True)
class City:
    """A gazetteer place listings cluster around, with the spread of its cluster."""

    name: str
    latitude: float
    longitude: float
    time_zone: str | None
    sigma_km: float


@dataclass(frozen=True)
class Term:
    """A taxonomy term a listing can be tagged with, and its name as search text."""

    id: uuid.UUID
    name: str
    folded_name: str


@dataclass(frozen=True)
class Sources:
    """What listings are drawn from: cities (with cumulative population weights) and terms."""

    cities: Sequence[City]
    cumulative_population: Sequence[float]
    categories: Sequence[Term]
    access_terms: Sequence[Term]

    @classmethod
    def of(
        cls, places: Sequence[tuple[City, int]], categories: Sequence[Term], access_terms: Sequence[Term]
    ) -> Sources:
        """Build the sources from (city, population) pairs and the two term lists."""
        weights = accumulate(float(population) for _, population in places)
        return cls([city for city, _ in places], list(weights), categories, access_terms)


@dataclass
class _Stream:
    """The random stream listings are drawn from, and the organisation being filled."""

    rng: random.Random
    sources: Sources
    now: datetime
    organization: Row = field(default_factory=dict)
    organization_text: str = ""


def create_synthetic_listings(
    session: Session,
    *,
    count: int,
    seed: int,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    after_batch: Callable[[int], None] | None = None,
) -> int:
    """Insert `count` synthetic listings in batches, calling `after_batch(created so far)` after each."""
    now = now or utcnow()
    ensure_prerequisites(session)
    sources = load_sources(session)
    created = 0
    for batch in generate_batches(seed=seed, count=count, sources=sources, now=now, batch_size=batch_size):
        if created == 0 and _already_present(session, batch):
            raise SeedAlreadyUsedError(
                f"Synthetic listings of seed {seed} are already in the database; nothing created "
                "(pick another --seed)."
            )
        write_batch(session, batch, now=now)
        created += len(batch["service"])
        if after_batch is not None:
            after_batch(created)
    return created


def ensure_prerequisites(session: Session) -> None:
    """Load the gazetteer and the taxonomies when they are missing."""
    if session.scalar(select(Place.id).limit(1)) is None:
        load_gazetteer(session, SEED_DIR)
    if not _terms(session, CATEGORY_TAXONOMY, leaves=True) or not _terms(session, ACCESS_TAXONOMY):
        seed_taxonomies(session)


def load_sources(session: Session) -> Sources:
    """Read the populated places and the category and access & safety terms, in a stable order."""
    rows = session.execute(
        select(Place.name, Place.latitude, Place.longitude, Place.time_zone, Place.population)
        .where(Place.population > 0)
        .order_by(Place.id)
    ).all()
    if not rows:
        raise ValueError("the gazetteer holds no populated place to scatter listings around")
    places = [(City(row[0], row[1], row[2], row[3], cluster_sigma_km(row[4])), row[4]) for row in rows]
    categories = _terms(session, CATEGORY_TAXONOMY, leaves=True)
    access_terms = _terms(session, ACCESS_TAXONOMY)
    if not categories or len(access_terms) < ACCESS_TERMS[1]:
        raise ValueError("the category or access & safety taxonomy is missing")
    return Sources.of(places, categories, access_terms)


def _terms(session: Session, taxonomy: str, *, leaves: bool = False) -> list[Term]:
    """Return the terms of a taxonomy (only those with a parent when `leaves`), by code."""
    query = select(TaxonomyTerm.id, TaxonomyTerm.name).where(TaxonomyTerm.taxonomy == taxonomy)
    if leaves:
        query = query.where(TaxonomyTerm.parent_id.is_not(None))
    rows = session.execute(query.order_by(TaxonomyTerm.code))
    return [Term(row[0], row[1], fold(row[1])) for row in rows]


def cluster_sigma_km(population: int) -> float:
    """Return the spread of a city's cluster: about 2 km for a small town, 15 km for a megacity."""
    share = math.log(max(population, SMALL_TOWN) / SMALL_TOWN) / math.log(MEGACITY / SMALL_TOWN)
    return SMALL_TOWN_SIGMA_KM + (MEGACITY_SIGMA_KM - SMALL_TOWN_SIGMA_KM) * min(share, 1.0)


def generate_batches(
    *, seed: int, count: int, sources: Sources, now: datetime, batch_size: int = BATCH_SIZE
) -> Iterator[Batch]:
    """Yield the rows of `count` listings by table, `batch_size` listings at a time (no created/modified)."""
    stream = _Stream(random.Random(seed), sources, now)
    for start in range(0, count, batch_size):
        batch: Batch = {name: [] for name in TABLES}
        for number in range(start + 1, min(start + batch_size, count) + 1):
            _add_listing(stream, batch, number)
        yield batch


def _add_listing(stream: _Stream, batch: Batch, number: int) -> None:
    """Append the rows of listing `number` (counted from 1) to the batch."""
    rng = stream.rng
    if (number - 1) % LISTINGS_PER_ORGANIZATION == 0:
        batch["organization"].append(_new_organization(stream, (number - 1) // LISTINGS_PER_ORGANIZATION + 1))
    city = _pick_city(stream)
    location = _location_row(stream, number, city, *scatter(rng, city))
    terms = [rng.choice(stream.sources.categories)]
    terms += rng.sample(stream.sources.access_terms, rng.randint(*ACCESS_TERMS))
    service = _service_row(stream, number, terms)
    link = {"id": new_id(rng), "service_id": service["id"], "location_id": location["id"]}
    batch["service"].append(service)
    batch["location"].append(location)
    batch["service_at_location"].append(link)
    batch["attribute"] += _attribute_rows(stream, service["id"], terms)
    if rng.random() < SCHEDULE_SHARE:
        batch["schedule"].append(_schedule_row(stream, link["id"]))
    if rng.random() < LANGUAGE_SHARE:
        batch["language"].append(_language_row(stream, service["id"]))


def new_id(rng: random.Random) -> uuid.UUID:
    """Return a version-4 UUID drawn from the random stream."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _pick_city(stream: _Stream) -> City:
    """Return a city drawn with probability proportional to its population."""
    weights = stream.sources.cumulative_population
    index = bisect.bisect_right(weights, stream.rng.random() * weights[-1])
    return stream.sources.cities[min(index, len(weights) - 1)]


def scatter(rng: random.Random, city: City) -> tuple[float, float]:
    """Return a point drawn from a 2-D normal around the city centre (latitude clamped, longitude wrapped)."""
    north_km, east_km = rng.gauss(0.0, city.sigma_km), rng.gauss(0.0, city.sigma_km)
    latitude = city.latitude + north_km / KM_PER_DEGREE
    shrink = max(math.cos(math.radians(city.latitude)), MIN_COS_LATITUDE)
    longitude = city.longitude + east_km / (KM_PER_DEGREE * shrink)
    latitude = min(max(latitude, -MAX_LATITUDE), MAX_LATITUDE)
    return round(latitude, 6), round((longitude + 180.0) % 360.0 - 180.0, 6)


def _new_organization(stream: _Stream, number: int) -> Row:
    """Start organisation `number`, which owns the listings that follow, and return its row."""
    name = f"Synthetic Organisation #{number}"
    stream.organization = {
        "id": new_id(stream.rng),
        "name": name,
        "description": "A synthetic organisation generated for load tests.",
    }
    stream.organization_text = fold(name)
    return stream.organization


def _location_row(stream: _Stream, number: int, city: City, latitude: float, longitude: float) -> Row:
    """Return a physical location with its public point columns derived."""
    location_id = new_id(stream.rng)
    confidential = stream.rng.random() < CONFIDENTIAL_SHARE
    return {
        "id": location_id,
        "organization_id": stream.organization["id"],
        "location_type": "physical",
        "name": f"Synthetic site #{number}, {city.name}",
        "latitude": latitude,
        "longitude": longitude,
        "time_zone": city.time_zone,
        "confidential": confidential,
        **public_point_columns(latitude, longitude, confidential),
    }


def _service_row(stream: _Stream, number: int, terms: Sequence[Term]) -> Row:
    """Return a vetted, active service verified within the last 90 days, named after its category."""
    verified = stream.now - timedelta(seconds=stream.rng.randrange(int(VERIFIED_WITHIN.total_seconds())))
    category = terms[0]
    description = f"Synthetic listing for load tests: {category.name}."
    # fold() lower-cases, strips accents and squeezes spaces word by word, so folding the fixed
    # parts once and joining them with spaces gives exactly fold() of the whole text.
    search_text = [_folded(f"Synthetic {category.name}") + f" #{number}", _folded(description)]
    search_text += [stream.organization_text, *(term.folded_name for term in terms)]
    return {
        "id": new_id(stream.rng),
        "organization_id": stream.organization["id"],
        "name": f"Synthetic {category.name} #{number}",
        "description": description,
        "status": "active",
        "vetting_status": VettingStatus.VETTED.value,
        "vetted_at": verified,
        "vetted_by": "synthetic",
        "last_verified_at": verified,
        "search_text": " ".join(search_text),
    }


@functools.cache
def _folded(text: str) -> str:
    """Return fold(text), remembered: only a few such texts recur across every listing."""
    return fold(text)


def _attribute_rows(stream: _Stream, service_id: uuid.UUID, terms: Sequence[Term]) -> list[Row]:
    """Return attributes tagging the service with the terms, ids ascending in the terms' order.

    Search text lists term names in attribute id order, as `refresh_search_text` does.
    """
    ids = sorted((new_id(stream.rng) for _ in terms), key=operator.attrgetter("int"))
    return [
        {"id": attribute_id, "link_id": service_id, "link_entity": "service", "taxonomy_term_id": term.id}
        for attribute_id, term in zip(ids, terms, strict=True)
    ]


def _schedule_row(stream: _Stream, service_at_location_id: uuid.UUID) -> Row:
    """Return weekly opening hours at the service's location."""
    byday, opens_at, closes_at, description = stream.rng.choice(WEEKLY_HOURS)
    return {
        "id": new_id(stream.rng),
        "service_at_location_id": service_at_location_id,
        "freq": "WEEKLY",
        "wkst": "MO",
        "byday": byday,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "description": description,
    }


def _language_row(stream: _Stream, service_id: uuid.UUID) -> Row:
    """Return a language the service is offered in."""
    code, name = stream.rng.choice(LANGUAGES)
    return {"id": new_id(stream.rng), "service_id": service_id, "code": code, "name": name}


def _already_present(session: Session, batch: Batch) -> bool:
    """Return whether the batch's first organisation is stored already (the seed was used before)."""
    first = batch["organization"][0]["id"] if batch["organization"] else None
    return first is not None and session.get(Organization, first) is not None


def write_batch(session: Session, batch: Batch, *, now: datetime) -> None:
    """Insert a batch's rows, parents first, created and modified at `now`, in the session's transaction."""
    postgres = session.connection().dialect.name == "postgresql"
    for name in TABLES:
        rows = batch[name]
        if not rows:
            continue
        table = Base.metadata.tables[name]
        if postgres:
            _copy_rows(session, table, rows, now=now)
        else:
            session.connection().execute(insert(table).values(_stamps(session, table, now)), rows)


def _stamps(session: Session, table: Table, now: datetime) -> dict[str, ColumnElement[Any]]:
    """Return created/modified as SQL literals, so executemany does not convert them row by row."""
    dialect = session.connection().dialect
    stamps: dict[str, ColumnElement[Any]] = {}
    for name in STAMPS:
        render = table.c[name].type.literal_processor(dialect)
        if render is None:
            raise TypeError(f"{dialect.name} cannot render {table.name}.{name} as a literal")
        stamps[name] = literal_column(render(now), table.c[name].type)
    return stamps


def _copy_rows(session: Session, table: Table, rows: list[Row], *, now: datetime) -> None:
    """Stream rows into a PostgreSQL table with COPY ... FROM STDIN (much faster than INSERT).

    Every row of a table is built by one function, so they all share the first row's keys.
    """
    from psycopg import sql

    columns = [*rows[0], *STAMPS]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(column) for column in columns)
    )
    values = operator.itemgetter(*rows[0])
    stamps = [now] * len(STAMPS)
    driver_connection = session.connection().connection.driver_connection
    assert driver_connection is not None
    with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([*values(row), *stamps])
