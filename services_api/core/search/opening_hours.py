"""Is a place open at a given moment? Weekly schedules evaluated in the place's own time zone."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services_api.core.geocoding.gazetteer import time_zone_near
from services_api.geo.sphere import Point
from services_api.models import Location, Schedule, Service, ServiceAtLocation

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def zone(name: str | None, fallback: str = "UTC") -> ZoneInfo:
    """Return the named IANA time zone, or the fallback when it is missing or unknown."""
    for candidate in (name, fallback, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def is_open(schedules: Iterable[Schedule], *, moment: datetime, time_zone: ZoneInfo) -> bool:
    """Return whether any schedule is open at `moment` in the given local time zone.

    An aware `moment` is converted to local time; a naive one is read as local wall-clock time.
    A range whose `closes_at` is earlier than `opens_at` runs past midnight: it belongs to the day
    it opens on. `opens_at == closes_at` means open the whole day.
    """
    local = moment.astimezone(time_zone) if moment.tzinfo else moment.replace(tzinfo=time_zone)
    today, now = local.date(), local.time().replace(tzinfo=None)
    yesterday = today - timedelta(days=1)
    for schedule in schedules:
        if not _usable(schedule):
            continue
        opens, closes = schedule.opens_at, schedule.closes_at
        assert opens is not None and closes is not None
        if opens == closes:
            if _applies(schedule, today):
                return True
        elif opens < closes:
            if _applies(schedule, today) and opens <= now < closes:
                return True
        elif (_applies(schedule, today) and now >= opens) or (_applies(schedule, yesterday) and now < closes):
            return True
    return False


def _usable(schedule: Schedule) -> bool:
    weekly = (schedule.freq or "WEEKLY").upper() == "WEEKLY"
    return weekly and isinstance(schedule.opens_at, time) and isinstance(schedule.closes_at, time)


def _applies(schedule: Schedule, day: date) -> bool:
    """Return whether the schedule's days and validity period include this local date."""
    if schedule.valid_from and day < schedule.valid_from:
        return False
    if schedule.valid_to and day > schedule.valid_to:
        return False
    if not schedule.byday:
        return True
    days = {part.strip().upper()[-2:] for part in schedule.byday.split(",") if part.strip()}
    return WEEKDAYS[day.weekday()] in days


class Listed(Protocol):
    """A search result as far as opening times care: a service, perhaps at one place."""

    @property
    def service_id(self) -> uuid.UUID:
        """The listed service."""

    @property
    def service_at_location_id(self) -> uuid.UUID | None:
        """The place it is listed at, if any."""


T = TypeVar("T", bound=Listed)
ScheduleGroup = tuple[list[Schedule], ZoneInfo]


class OpeningTimes:
    """Decides which search results are open, loading the schedules they need in a few queries.

    A place uses its own schedules, else its location's, else its service's, in the location's
    time zone. A service known only by its area uses its service-level schedules in the time zone
    of the gazetteer place nearest the area's centre.
    """

    def __init__(self, session: Session):
        self.session = session

    def open_hits(self, hits: list[T], moment: datetime) -> list[T]:
        """Keep the results open at `moment`; results with unknown hours are dropped."""
        places = self._place_groups(
            [hit.service_at_location_id for hit in hits if hit.service_at_location_id]
        )
        services = self._service_groups({hit.service_id for hit in hits if not hit.service_at_location_id})
        kept = []
        for hit in hits:
            if hit.service_at_location_id:
                groups = [places[hit.service_at_location_id]] if hit.service_at_location_id in places else []
            else:
                groups = services.get(hit.service_id, [])
            if any(is_open(schedules, moment=moment, time_zone=time_zone) for schedules, time_zone in groups):
                kept.append(hit)
        return kept

    def open_services(self, hits: list[T], moment: datetime) -> list[T]:
        """Keep the services open at `moment` at any of their places (or by their own hours)."""
        service_ids = {hit.service_id for hit in hits}
        links = self.session.execute(
            select(ServiceAtLocation.id, ServiceAtLocation.service_id).where(
                ServiceAtLocation.service_id.in_(service_ids)
            )
        ).all()
        places = self._place_groups([link.id for link in links])
        groups: dict[uuid.UUID, list[ScheduleGroup]] = self._service_groups(service_ids)
        for link in links:
            groups.setdefault(link.service_id, []).append(places[link.id])
        return [
            hit
            for hit in hits
            if any(
                is_open(schedules, moment=moment, time_zone=time_zone)
                for schedules, time_zone in groups.get(hit.service_id, [])
            )
        ]

    def _place_groups(self, place_ids: list[uuid.UUID]) -> dict[uuid.UUID, ScheduleGroup]:
        places = self.session.scalars(
            select(ServiceAtLocation)
            .where(ServiceAtLocation.id.in_(place_ids))
            .options(
                selectinload(ServiceAtLocation.schedules),
                selectinload(ServiceAtLocation.location).selectinload(Location.schedules),
                selectinload(ServiceAtLocation.service).selectinload(Service.schedules),
            )
        ).all()
        groups = {}
        for place in places:
            schedules = place.schedules or place.location.schedules or place.service.schedules
            groups[place.id] = (list(schedules), self._location_zone(place.location))
        return groups

    def _service_groups(self, service_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[ScheduleGroup]]:
        """Return the service-level hours of services that have no place of their own."""
        services = self.session.scalars(
            select(Service)
            .where(Service.id.in_(service_ids), ~Service.service_at_locations.any())
            .options(selectinload(Service.schedules), selectinload(Service.service_areas))
        ).all()
        return {service.id: [(list(service.schedules), self._area_zone(service))] for service in services}

    def _location_zone(self, location: Location) -> ZoneInfo:
        if location.time_zone or location.public_latitude is None or location.public_longitude is None:
            return zone(location.time_zone)
        return zone(time_zone_near(self.session, Point(location.public_latitude, location.public_longitude)))

    def _area_zone(self, service: Service) -> ZoneInfo:
        for service_area in service.service_areas:
            if service_area.min_latitude is not None and service_area.max_latitude is not None:
                assert service_area.min_longitude is not None and service_area.max_longitude is not None
                centre = Point(
                    (service_area.min_latitude + service_area.max_latitude) / 2,
                    (service_area.min_longitude + service_area.max_longitude) / 2,
                )
                return zone(time_zone_near(self.session, centre))
        return zone(None)
