"""What the public export holds: every public organisation, service, location and the taxonomies."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from services_api.core.directory.reads import FULL_SERVICE_LOAD, LOCATION_LOAD, PHONE_LOAD
from services_api.core.directory.streaming import iter_batches
from services_api.core.directory.visibility import PublicView
from services_api.models import (
    Contact,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)


def public_records(session: Session, view: PublicView) -> Iterator[tuple[str, Sequence[Any]]]:
    """Yield (HSDS table, batch of records) for every public record, each record exactly once.

    Organisations and locations are those of public services; services come with their children
    (phones, schedules, service-at-locations...). Batches are dropped from the session as they go.
    """
    organizations = (
        select(Organization)
        .where(exists().where(Service.organization_id == Organization.id, view.service_filter()))
        .order_by(Organization.id)
        .options(
            selectinload(Organization.phones).options(PHONE_LOAD),
            selectinload(Organization.contacts).selectinload(Contact.phones),
        )
    )
    services = select(Service).where(view.service_filter()).order_by(Service.id).options(*FULL_SERVICE_LOAD)
    public_link = (
        select(ServiceAtLocation.id)
        .join(ServiceAtLocation.service)
        .where(ServiceAtLocation.location_id == Location.id, view.service_filter())
    )
    locations = select(Location).where(public_link.exists()).order_by(Location.id).options(*LOCATION_LOAD)
    queries: tuple[tuple[str, Any, Any], ...] = (
        ("organization", organizations, Organization.id),
        ("service", services, Service.id),
        ("location", locations, Location.id),
        ("taxonomy", select(Taxonomy).order_by(Taxonomy.id), Taxonomy.id),
        ("taxonomy_term", select(TaxonomyTerm).order_by(TaxonomyTerm.id), TaxonomyTerm.id),
    )
    for table, query, column in queries:
        for batch in iter_batches(session, query, columns=(column,), key=lambda record: (record.id,)):
            yield table, batch
