"""What the search page shows, built from the same core functions and output shapes as the API.

The page reads a search's criteria from its form, runs `run_search` (what /api/v1/services runs) and
renders the API's own result shapes, so the page shows exactly what the public API would: public
listings only, a confidential place by its area, a stale listing with its notice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from babel import Locale
from flask import current_app
from flask_babel import get_locale, gettext, lazy_gettext
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from services_api.api.public.common import dump_one, dump_page, public_view
from services_api.api.public.searching import run_search
from services_api.api.public.services import FAST_RESULT, FULL_SERVICE
from services_api.core.directory import reads
from services_api.core.directory.languages import localize_documents
from services_api.core.errors import DomainError
from services_api.core.geocoding.gazetteer import time_zone_near
from services_api.core.search.opening_hours import has_hours, hours_on, zone
from services_api.core.search.query import PER_SERVICE, Hit
from services_api.core.search.result_records import service_records
from services_api.core.search.result_summary import ACCESS_TAXONOMY, CATEGORY_TAXONOMY, summarize
from services_api.db import get_session
from services_api.geo.sphere import Point
from services_api.models import REPORT_KINDS, Language, TaxonomyTerm, utcnow
from services_api.schemas.params import ServiceListArgs
from services_api.web.languages import DEFAULT_LANGUAGE

PER_PAGE = 10
DISTANCES_KM = (1, 2, 5, 10, 25, 50, 100)
DEFAULT_DISTANCE_KM = 10
ARGS = ServiceListArgs()
REPORT_KIND_LABELS = {
    "wrong_information": lazy_gettext("Some information is wrong"),
    "closed": lazy_gettext("It has closed or moved"),
    "treated_badly": lazy_gettext("I or someone I know was treated badly there"),
    "unsafe": lazy_gettext("It is not safe"),
    "other": lazy_gettext("Something else"),
}
assert set(REPORT_KIND_LABELS) == set(REPORT_KINDS)
WEEKDAY_NAMES = (
    lazy_gettext("Monday"),
    lazy_gettext("Tuesday"),
    lazy_gettext("Wednesday"),
    lazy_gettext("Thursday"),
    lazy_gettext("Friday"),
    lazy_gettext("Saturday"),
    lazy_gettext("Sunday"),
)


@dataclass
class Criteria:
    """A search as typed into the form (strings, to show them again), and the page wanted."""

    near: str = ""
    lat: str = ""
    lng: str = ""
    distance: str = str(DEFAULT_DISTANCE_KM)
    category: str = ""
    attributes: list[str] = field(default_factory=list)
    language: str = ""
    open_now: bool = False
    keywords: str = ""
    page: int = 1

    @classmethod
    def read(cls, form: MultiDict[str, str] | None) -> Criteria:
        """Read the posted form (None: an empty search form)."""
        if form is None:
            return cls()
        near = (form.get("place_choice") or form.get("near") or "").strip()
        page = form.get("page", "1")
        return cls(
            near=near,
            lat="" if near else form.get("lat", "").strip(),
            lng="" if near else form.get("lng", "").strip(),
            distance=form.get("distance", str(DEFAULT_DISTANCE_KM)).strip(),
            category=form.get("category", "").strip(),
            attributes=[code for code in form.getlist("attribute") if code],
            language=form.get("language", "").strip(),
            open_now=form.get("open_now") == "1",
            keywords=form.get("keywords", "").strip(),
            page=int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1,
        )

    @property
    def by_device_location(self) -> bool:
        """Whether the search is around the point the browser gave (use my location)."""
        return bool(self.lat and self.lng and not self.near)

    def query(self) -> dict[str, Any]:
        """Return the search as /api/v1/services query parameters (before validation)."""
        query: dict[str, Any] = {"page": str(self.page)}
        if self.near:
            query["near"] = self.near
        elif self.lat or self.lng:
            query.update(lat=self.lat, lng=self.lng)
        if "near" in query or "lat" in query:
            query["radius_km"] = self.distance
        optional = {"category": self.category, "language": self.language, "search": self.keywords}
        query.update({name: value for name, value in optional.items() if value})
        if self.attributes:
            query["attribute"] = self.attributes
        if self.open_now:
            query["open_now"] = "true"
        return query


def find(criteria: Criteria) -> dict[str, Any]:
    """Run the search as the API does; return its page envelope (raise DomainError for bad criteria)."""
    args = ARGS.load(criteria.query())
    args["per_page"] = PER_PAGE
    found = run_search(args, per=PER_SERVICE)
    results = found.with_items(service_records(get_session(), found.items))
    envelope = dump_page(results, FAST_RESULT, public_view())
    in_page_language(envelope["contents"])
    envelope["searched_place"] = bool(criteria.near or criteria.by_device_location)
    return envelope


FIELD_OF_PARAMETER = {
    "near": "near",
    "postcode": "near",
    "lat": "near",
    "lng": "near",
    "radius_km": "distance",
    "category": "category",
    "attribute": "attribute",
    "language": "language",
    "search": "keywords",
    "page": "page",
}


def explain(error: DomainError, criteria: Criteria) -> dict[str, Any]:
    """Return what the form shows for a refused search: the problem by field, places it may have meant."""
    problems: dict[str, str] = {}
    suggestions = list(error.problems.get("suggestions", []))
    for parameter, detail in error.problems.items():
        if parameter == "suggestions":
            continue
        name = FIELD_OF_PARAMETER.get(parameter, "keywords")
        problems.setdefault(name, _field_problem(name, detail))
    if not problems:
        problems["keywords"] = error.message
    if suggestions or ("near" in problems and criteria.near):
        problems["near"] = gettext("We could not find the place “%(place)s”.", place=criteria.near)
    return {"problems": problems, "suggestions": suggestions}


def _field_problem(name: str, detail: Any) -> str:
    """Return a short sentence for a field (the API's own message, for the fields people type)."""
    messages = {
        "near": gettext("We could not use this place. Try a town, an area or a postcode."),
        "distance": gettext("Choose a distance from the list."),
        "category": gettext("Choose a kind of help from the list."),
        "attribute": gettext("Choose needs from the list."),
        "language": gettext("Choose a language from the list."),
    }
    if name in messages:
        return str(messages[name])
    text = detail[0] if isinstance(detail, list) and detail else str(detail)
    return str(gettext("Check the keywords: %(problem)s", problem=text))


def report_problems(problems: dict[str, Any], status: int) -> dict[str, str]:
    """Return the report form's problems by field, in plain words."""
    if status == 429:
        return {"form": gettext("Too many reports have been sent from here. Please try again later.")}
    found = {}
    if "kind" in problems:
        found["kind"] = gettext("Choose what is wrong.")
    if "message" in problems:
        found["message"] = gettext("The message is too long or has characters that cannot be sent.")
    return found or {"form": gettext("The report could not be sent. Please try again.")}


def choices() -> dict[str, Any]:
    """Return the form's lists: categories as a tree, access & safety needs, languages, distances."""
    session = get_session()
    terms = session.scalars(
        select(TaxonomyTerm)
        .where(
            TaxonomyTerm.taxonomy.in_((CATEGORY_TAXONOMY, ACCESS_TAXONOMY)), TaxonomyTerm.code.is_not(None)
        )
        .order_by(TaxonomyTerm.name)
    ).all()
    children: dict[uuid.UUID | None, list[TaxonomyTerm]] = {}
    for term in terms:
        if term.taxonomy == CATEGORY_TAXONOMY:
            children.setdefault(term.parent_id, []).append(term)
    categories = [(top, children.get(top.id, [])) for top in children.get(None, [])]
    languages = session.execute(
        select(Language.code, Language.name)
        .where(Language.code.is_not(None))
        .distinct()
        .order_by(Language.name)
    ).all()
    spoken = {code.lower(): name for code, name in languages if code and len(code) == 2 and name}
    return {
        "categories": categories,
        "needs": [term for term in terms if term.taxonomy == ACCESS_TAXONOMY],
        "languages": sorted(spoken.items(), key=lambda item: item[1]),
        "distances": DISTANCES_KM,
    }


def in_page_language(services: list[dict[str, Any]]) -> None:
    """Show dumped services in the page's language where their providers translated them, in place.

    Each gets `text_language` (the language shown, and the fields left in the original), which the
    templates use to mark text shown as the provider wrote it.
    """
    localize_documents(
        get_session(),
        documents=services,
        kind="service",
        preferred=(str(get_locale() or DEFAULT_LANGUAGE),),
        default_language=current_app.config["DEFAULT_LANGUAGE"],
    )


def language_name(tag: str, *, in_language: str) -> str:
    """Return a language's name in the page's language (`English`, `inglés`), or the tag if unknown."""
    try:
        name = Locale.parse(tag.replace("-", "_")).get_display_name(in_language.replace("-", "_"))
    except (ValueError, LookupError):
        return tag
    return str(name) if name else tag


def detail(service_id: str) -> dict[str, Any]:
    """Return a public service as the API shows it, with each place's week of hours in its time zone."""
    try:
        wanted = uuid.UUID(service_id)
    except ValueError:
        raise NotFound() from None
    session = get_session()
    view = public_view()
    found = reads.get_service(session, view=view, service_id=wanted)
    if found is None:
        raise NotFound()
    shown = dump_one(found, FULL_SERVICE, view, "service")
    in_page_language([shown])
    now = utcnow()
    places = []
    public_links = {link["id"] for link in shown.get("service_at_locations", [])}
    for link in found.service_at_locations:
        if str(link.id) not in public_links or link.location is None:
            continue
        schedules = link.schedules or link.location.schedules or found.schedules
        places.append(
            {
                "link": next(item for item in shown["service_at_locations"] if item["id"] == str(link.id)),
                "week": _week(schedules, _location_zone(session, link.location), now),
            }
        )
    week = None
    if not places and has_hours(found.schedules):
        summary = summarize(session, [Hit(match=None, service_id=found.id)], now=now, locations=False)[0]
        time_zone = summary.hours_today.time_zone if summary.hours_today else None
        week = _week(found.schedules, zone(time_zone), now)
    return {
        "service": shown,
        "places": places,
        "week": week,
        "report_kinds": REPORT_KIND_LABELS,
        "stale_after_days": current_app.config["STALE_AFTER_DAYS"],
    }


def _location_zone(session: Any, location: Any) -> Any:
    if location.time_zone or location.public_latitude is None or location.public_longitude is None:
        return zone(location.time_zone)
    return zone(time_zone_near(session, Point(location.public_latitude, location.public_longitude)))


def _week(schedules: Any, time_zone: Any, now: datetime) -> dict[str, Any] | None:
    """Return the next seven days' hours (from today, in the place's own time zone)."""
    if not has_hours(schedules):
        return None
    today = now.astimezone(time_zone).date()
    days = []
    for offset in range(7):
        day = today + timedelta(days=offset)
        hours = [
            (opens.strftime("%H:%M"), closes.strftime("%H:%M")) for opens, closes in hours_on(schedules, day)
        ]
        days.append(
            {
                "name": WEEKDAY_NAMES[day.weekday()],
                "date": day.isoformat(),
                "hours": hours,
                "today": offset == 0,
            }
        )
    return {"time_zone": time_zone.key, "days": days}
