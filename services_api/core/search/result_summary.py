"""What a person needs to act on a search result: open now, today's hours, phones, languages, terms.

`summarize` loads it for a page of results with one `SELECT ... WHERE ... IN (...)` per kind of
record (places, locations and their addresses, schedules, phones, languages, attributes, service
areas), never one per result, and reads only public columns. A result's hours, phones and
languages are those of its place (the service-at-location, else its location, else its service,
as opening times are decided in `opening_hours.OpeningTimes`); a result found by its service area
has its service's. A /services result without a searched point stands for all its places: it is
open when one of them is, and it shows the first place open now (else its first place).
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import Session

from services_api.core.geocoding.gazetteer import time_zone_near
from services_api.core.search.opening_hours import OPEN_STATUS, has_hours, hours_on, is_open, zone
from services_api.core.search.query import Hit
from services_api.geo.sphere import Point
from services_api.models import Base

CATEGORY_TAXONOMY = "sw-categories"
ACCESS_TAXONOMY = "sw-access-safety"

COLUMNS: dict[str, tuple[str, ...]] = {
    "service_at_location": ("id", "service_id", "location_id"),
    "service": ("id", "organization_id", "status"),
    "location": (
        *("id", "location_type", "name", "public_latitude", "public_longitude", "time_zone"),
        *("confidential", "organization_id", "description"),
    ),
    "address": (
        *("id", "location_id", "attention", "address_1", "address_2", "city", "region"),
        *("state_province", "postal_code", "country", "address_type"),
    ),
    "schedule": (
        *("id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to"),
        *("freq", "byday", "opens_at", "closes_at"),
    ),
    "phone": (
        *("id", "service_at_location_id", "location_id", "service_id", "organization_id"),
        *("number", "display_number", "extension", "type", "description"),
    ),
    "language": ("id", "service_id", "location_id", "phone_id", "name", "code"),
    "service_area": ("id", "service_id", "min_latitude", "max_latitude", "min_longitude", "max_longitude"),
}


@dataclass
class Summary:
    """The actionable part of one search result (see the module docstring)."""

    open_now: bool | None = None
    hours_today: Any = None
    phone_numbers: list[Any] = field(default_factory=list)
    languages_spoken: list[Any] = field(default_factory=list)
    categories: list[Any] = field(default_factory=list)
    access_and_safety: list[Any] = field(default_factory=list)
    location: Any = None


@dataclass(frozen=True)
class _Place:
    """Where a result's hours and phones come from: a service at a location, or a service alone."""

    service_id: uuid.UUID
    link_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
    service_area_id: uuid.UUID | None = None


def summarize(session: Session, hits: Sequence[Hit], *, now: datetime, locations: bool) -> list[Summary]:
    """Return the summary of each result of a page, in order, as of `now`.

    With `locations`, each summary also holds the (public columns of the) location it shows, with
    its addresses: /services results have no location of their own.
    """
    page = _Page(session, hits, now)
    summaries = page.summaries()
    if locations:
        shown = {id(summary.location): summary.location for summary in summaries if summary.location}
        addresses: dict[uuid.UUID, list[Any]] = defaultdict(list)
        for address in _rows(session, "address", "location_id", {loc.id for loc in shown.values()}):
            addresses[address.location_id].append(address)
        for location in shown.values():
            location.addresses = addresses.get(location.id, [])
    else:
        for summary in summaries:
            summary.location = None
    return summaries


class _Page:
    def __init__(self, session: Session, hits: Sequence[Hit], now: datetime):
        self.session, self.hits, self.now = session, hits, now
        self.services = _by_id(session, "service", {hit.service_id for hit in hits})
        named = {hit.service_id for hit in hits if hit.match is None and not hit.service_at_location_id}
        self.links = _by_id(session, "service_at_location", [h.service_at_location_id for h in hits])
        self.links_of: dict[uuid.UUID, list[Any]] = defaultdict(list)
        for link in _rows(session, "service_at_location", "service_id", named):
            self.links[link.id] = link
            self.links_of[link.service_id].append(link)
        self.locations = _by_id(session, "location", {link.location_id for link in self.links.values()})
        services, locations, links = set(self.services), set(self.locations), set(self.links)
        self.schedules = _owned(session, "schedule", services=services, locations=locations, links=links)
        organizations = {service.organization_id for service in self.services.values()}
        self.phones = _owned(
            session, "phone", services=services, locations=locations, links=links, organizations=organizations
        )
        phone_ids = {phone.id for phones in self.phones.values() for phone in phones}
        self.languages = _owned(session, "language", services=services, locations=locations, phones=phone_ids)
        self.terms = _terms(session, services | locations | links)
        self.areas = _by_id(session, "service_area", [hit.service_area_id for hit in hits])
        without_places = [service for service in services if not self.links_of.get(service)]
        for area in _rows(session, "service_area", "service_id", without_places):
            self.areas.setdefault(area.id, area)
        self.zones: dict[Any, ZoneInfo] = {}

    def summaries(self) -> list[Summary]:
        return [self._summary(hit) for hit in self.hits]

    def _summary(self, hit: Hit) -> Summary:
        if hit.service_at_location_id or hit.match is not None:
            place = _Place(hit.service_id, hit.service_at_location_id, hit.location_id, hit.service_area_id)
            summary = self._of(place)
            summary.open_now = self._open(place)
            return summary
        links = self.links_of.get(hit.service_id, [])
        places = [_Place(hit.service_id, link.id, link.location_id) for link in links]
        places = places or [_Place(hit.service_id)]
        states = [self._open(place) for place in places]
        shown = next((place for place, state in zip(places, states, strict=True) if state), places[0])
        summary = self._of(shown)
        summary.open_now = True if True in states else False if False in states else None
        return summary

    def _schedules(self, place: _Place) -> list[Any]:
        for owner in (place.link_id, place.location_id, place.service_id):
            if owner is not None and self.schedules.get(owner):
                return self.schedules[owner]
        return []

    def _open(self, place: _Place) -> bool | None:
        """Return whether the place is open now: None when its hours are unknown."""
        service = self.services[place.service_id]
        schedules = self._schedules(place)
        if service.status != OPEN_STATUS:
            return False
        if not has_hours(schedules):
            return None
        return is_open(schedules, moment=self.now, time_zone=self._zone(place))

    def _of(self, place: _Place) -> Summary:
        service = self.services[place.service_id]
        schedules = self._schedules(place)
        summary = Summary(location=self.locations.get(place.location_id))
        if has_hours(schedules):
            time_zone = self._zone(place)
            today = self.now.astimezone(time_zone).date()
            summary.hours_today = SimpleNamespace(
                date=today.isoformat(),
                time_zone=time_zone.key,
                hours=[
                    SimpleNamespace(opens_at=opens.strftime("%H:%M"), closes_at=closes.strftime("%H:%M"))
                    for opens, closes in hours_on(schedules, today)
                ],
            )
        owners = [place.link_id, place.location_id, place.service_id]
        phones = _distinct(phone for owner in owners for phone in self.phones.get(owner, []))
        summary.phone_numbers = phones or self.phones.get(service.organization_id, [])
        spoken = [place.service_id, place.location_id, *(phone.id for phone in summary.phone_numbers)]
        languages = [language for owner in spoken for language in self.languages.get(owner, [])]
        summary.languages_spoken = _codes(languages)
        terms = [term for owner in owners for term in self.terms.get(owner, [])]
        summary.categories = _codes(term for term in terms if term.taxonomy == CATEGORY_TAXONOMY)
        summary.access_and_safety = _codes(term for term in terms if term.taxonomy == ACCESS_TAXONOMY)
        return summary

    def _zone(self, place: _Place) -> ZoneInfo:
        """Return the place's time zone: its location's, else the gazetteer's near its point or area."""
        key = place.location_id or place.service_area_id or place.service_id
        if key not in self.zones:
            self.zones[key] = self._find_zone(place)
        return self.zones[key]

    def _find_zone(self, place: _Place) -> ZoneInfo:
        location = self.locations.get(place.location_id)
        if location is not None:
            if location.time_zone or location.public_latitude is None or location.public_longitude is None:
                return zone(location.time_zone)
            point = Point(location.public_latitude, location.public_longitude)
            return zone(time_zone_near(self.session, point))
        areas = [self.areas.get(place.service_area_id)] + [
            area for area in self.areas.values() if area.service_id == place.service_id
        ]
        for area in areas:
            if area is not None and area.min_latitude is not None and area.max_latitude is not None:
                centre = Point(
                    (area.min_latitude + area.max_latitude) / 2, (area.min_longitude + area.max_longitude) / 2
                )
                return zone(time_zone_near(self.session, centre))
        return zone(None)


def _distinct(records: Iterable[Any]) -> list[Any]:
    """Return the records once each (a phone can belong to a service and its location), in order."""
    return list({record.id: record for record in records}.values())


def _codes(records: Iterable[Any]) -> list[Any]:
    """Return each code once, with its label, in the order first met."""
    found: dict[str | None, Any] = {}
    for record in records:
        found.setdefault(record.code, SimpleNamespace(code=record.code, name=record.name))
    return list(found.values())


def _owned(
    session: Session,
    table_name: str,
    *,
    services: set[uuid.UUID],
    locations: set[uuid.UUID],
    links: set[uuid.UUID] | None = None,
    organizations: set[uuid.UUID] | None = None,
    phones: set[uuid.UUID] | None = None,
) -> dict[Any, list[Any]]:
    """Return a table's rows by owner id, in one statement over every owner column it has."""
    owners = {
        "service_id": services,
        "location_id": locations,
        "service_at_location_id": links,
        "organization_id": organizations,
        "phone_id": phones,
    }
    wanted = {column: sorted(ids) for column, ids in owners.items() if ids}
    if not wanted:
        return {}
    statement = _owned_statement(table_name, tuple(wanted))
    result = session.connection().execute(statement, wanted)
    keys = tuple(result.keys())
    found: dict[uuid.UUID, list[Any]] = defaultdict(list)
    records = (SimpleNamespace(**dict(zip(keys, row, strict=True))) for row in result)
    for record in sorted(records, key=_by_key):
        for column in wanted:
            owner = getattr(record, column)
            if owner is not None:
                found[owner].append(record)
    return found


@functools.cache
def _owned_statement(table_name: str, owner_columns: tuple[str, ...]) -> Select[Any]:
    table = Base.metadata.tables[table_name]
    condition = or_(*(table.c[name].in_(bindparam(name, expanding=True)) for name in owner_columns))
    # No ORDER BY: SQLite would walk the primary key in order rather than probe each owner's index.
    return select(*(table.c[name] for name in COLUMNS[table_name])).where(condition)


def _by_key(record: Any) -> str:
    """Order records by id, as the ORM's relationships do (the same order on both databases)."""
    return str(record.id)


def _terms(session: Session, owners: set[uuid.UUID]) -> dict[Any, list[Any]]:
    """Return the taxonomy terms (code, name, taxonomy) attached to each record, by its id."""
    if not owners:
        return {}
    found: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for row in session.connection().execute(_TERMS, {"owners": sorted(owners)}):
        found[row.link_id].append(row)
    return found


def _terms_statement() -> Select[Any]:
    attribute, term = Base.metadata.tables["attribute"], Base.metadata.tables["taxonomy_term"]
    return (
        select(attribute.c.link_id, term.c.code, term.c.name, term.c.taxonomy)
        .join(term, term.c.id == attribute.c.taxonomy_term_id)
        .where(attribute.c.link_id.in_(bindparam("owners", expanding=True)))
        .order_by(term.c.taxonomy, term.c.code, term.c.id)
    )


_TERMS = _terms_statement()


def _by_id(session: Session, table_name: str, ids: Iterable[uuid.UUID | None]) -> dict[Any, Any]:
    return {record.id: record for record in _rows(session, table_name, "id", ids)}


def _rows(session: Session, table_name: str, column: str, values: Iterable[Any]) -> list[Any]:
    """Return the summary's columns of the rows whose `column` is one of `values`, ordered by id."""
    wanted = sorted({value for value in values if value is not None})
    if not wanted:
        return []
    result = session.connection().execute(_where_in(table_name, column), {"values": wanted})
    keys = tuple(result.keys())
    return [SimpleNamespace(**dict(zip(keys, row, strict=True))) for row in result]


@functools.cache
def _where_in(table_name: str, column: str) -> Select[Any]:
    table = Base.metadata.tables[table_name]
    columns = [table.c[name] for name in COLUMNS[table_name]]
    return (
        select(*columns).where(table.c[column].in_(bindparam("values", expanding=True))).order_by(table.c.id)
    )
