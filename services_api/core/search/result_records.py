"""Load the records behind a page of search results with a few Core selects, as plain records.

The brief result shapes (not `full=true`) need only one-to-one rows and a location's addresses, so
a handful of `SELECT <public columns> ... WHERE id IN (...)` statements fill lightweight records;
building ORM instances (and converting every column) cost most of a search request. The records
carry exactly the columns the brief HSDS shapes read, so `load_place_results` (ORM) and these give
the same output (tests/test_fast_search_output.py), and a location's true point and other private
columns are never even read.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from services_api.core.search.query import Hit
from services_api.core.search.result_summary import summarize
from services_api.core.search.results import PlaceResult, ServiceResult, place_results, service_results
from services_api.models import Base, utcnow

# What the brief result shapes show of each record (schemas/hsds.py), plus what they decide by.
PUBLIC_COLUMNS: dict[str, tuple[str, ...]] = {
    "service_at_location": ("id", "service_id", "location_id", "description"),
    "location": (
        *("id", "location_type", "name", "public_latitude", "public_longitude", "time_zone"),
        *("confidential", "organization_id", "description"),
    ),
    "address": (
        *("id", "location_id", "attention", "address_1", "address_2", "city", "region"),
        *("state_province", "postal_code", "country", "address_type"),
    ),
    "service": (
        *("id", "organization_id", "program_id", "name", "alternate_name", "description", "url"),
        *("email", "status", "interpretation_services", "application_process", "fees_description"),
        *("wait_time", "fees", "accreditations", "eligibility_description", "minimum_age"),
        *("maximum_age", "assured_date", "assurer_email", "licenses", "alert", "modified"),
        *("last_verified_at", "vetted_at", "vetting_status", "withdrawn_at"),
    ),
    "organization": (
        *("id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id"),
        *("year_incorporated", "legal_status", "logo", "uri", "parent_organization_id"),
    ),
    "service_area": ("id", "service_id", "name", "description", "extent", "extent_type", "uri"),
}


def place_records(session: Session, hits: Sequence[Hit], *, now: datetime | None = None) -> list[PlaceResult]:
    """Return the page's /service_at_locations results with plain records in place of ORM objects.

    Each carries its summary (`result_summary`) as of `now` (default: this instant).
    """
    services = _services(session, {hit.service_id for hit in hits})
    links = _by_id(session, "service_at_location", [h.service_at_location_id for h in hits])
    locations = _by_id(session, "location", {link.location_id for link in links.values()})
    addresses = _children(session, "address", "location_id", locations)
    for location_id, location in locations.items():
        location.addresses = addresses.get(location_id, [])
    for link in links.values():
        link.location = locations.get(link.location_id)
    areas = _by_id(session, "service_area", [hit.service_area_id for hit in hits])
    summaries = summarize(session, hits, now=now or utcnow(), locations=False)
    return place_results(hits, services=services, links=links, areas=areas, summaries=summaries)


def service_records(
    session: Session, hits: Sequence[Hit], *, now: datetime | None = None
) -> list[ServiceResult]:
    """Return the page's /services results with plain records in place of ORM objects (and summaries)."""
    services = _services(session, {hit.service_id for hit in hits})
    return service_results(
        hits, services=services, summaries=summarize(session, hits, now=now or utcnow(), locations=True)
    )


def _services(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """Return services by id, each with its organisation as `organization`."""
    services = _by_id(session, "service", ids)
    organizations = _by_id(session, "organization", {s.organization_id for s in services.values()})
    for service in services.values():
        service.organization = organizations.get(service.organization_id)
    return services


def _by_id(session: Session, table_name: str, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, Any]:
    """Return the rows of a table with these ids, as records keyed by id."""
    return {record.id: record for record in _records(session, table_name, "id", ids)}


def _children(
    session: Session, table_name: str, parent_column: str, parents: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[Any]]:
    """Return the rows of a table pointing at these parents, by id (as the ORM relationships order)."""
    found: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for record in _records(session, table_name, parent_column, parents):
        found[getattr(record, parent_column)].append(record)
    return found


def _records(session: Session, table_name: str, column: str, values: Iterable[Any]) -> list[Any]:
    """Return the public columns of the rows whose `column` is one of `values`, ordered by id."""
    wanted = list({value for value in values if value is not None})
    if not wanted:
        return []
    result = session.connection().execute(_select_where_in(table_name, column), {"values": wanted})
    keys = tuple(result.keys())
    return [SimpleNamespace(**dict(zip(keys, row, strict=True))) for row in result]


@functools.cache
def _select_where_in(table_name: str, column: str) -> Select[Any]:
    """Return the select of a table's public columns where `column` is in the list `values`."""
    table = Base.metadata.tables[table_name]
    columns = [table.c[name] for name in PUBLIC_COLUMNS[table_name]]
    return (
        select(*columns).where(table.c[column].in_(bindparam("values", expanding=True))).order_by(table.c.id)
    )
