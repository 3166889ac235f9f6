"""Read the public directory: paged, filtered lists and single records, only what the public may see."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Uuid,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased, selectinload

from services_api.core.directory.visibility import PublicView
from services_api.core.limits import search_words
from services_api.core.paging import Page
from services_api.core.search.generations import LISTINGS, kept
from services_api.core.search.keywords import (
    KEYWORDS_PARAM,
    by_relevance,
    keyword_condition,
    keyword_params,
    keyword_shape,
    keyword_tokens,
)
from services_api.core.search.text import fold
from services_api.models import (
    Attribute,
    Contact,
    Language,
    Location,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from services_api.models.base import UTCDateTime

# A kept keyword search keeps its first ten pages of 25 (see `paginate_ranked`).
KEPT_RANKS = 250
PHONE_LOAD = selectinload(Phone.languages)
LOCATION_LOAD = (
    selectinload(Location.addresses),
    selectinload(Location.accessibility),
    selectinload(Location.phones).options(PHONE_LOAD),
    selectinload(Location.schedules),
    selectinload(Location.languages),
    selectinload(Location.contacts).selectinload(Contact.phones),
    selectinload(Location.attributes),
)
SERVICE_AT_LOCATION_LOAD = (
    selectinload(ServiceAtLocation.location).options(*LOCATION_LOAD),
    selectinload(ServiceAtLocation.phones).options(PHONE_LOAD),
    selectinload(ServiceAtLocation.schedules),
    selectinload(ServiceAtLocation.contacts).selectinload(Contact.phones),
)
FULL_SERVICE_LOAD = (
    selectinload(Service.organization),
    selectinload(Service.phones).options(PHONE_LOAD),
    selectinload(Service.schedules),
    selectinload(Service.languages),
    selectinload(Service.contacts).selectinload(Contact.phones),
    selectinload(Service.service_areas),
    selectinload(Service.cost_options),
    selectinload(Service.attributes),
    selectinload(Service.service_at_locations).options(*SERVICE_AT_LOCATION_LOAD),
)


@dataclass(frozen=True)
class ListingFilters:
    """Filters on services and service-at-locations; every one given must hold.

    `required_terms` holds sets of taxonomy-term ids: a listing must carry a term of every set
    (a category with its sub-terms is one set; each required attribute is another).
    """

    search: str | None = None
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    modified_after: datetime | None = None
    required_terms: tuple[frozenset[uuid.UUID], ...] = ()
    language: str | None = None


def paginate(session: Session, query: Select[Any], *, page: int, per_page: int) -> Page[Any]:
    """Run a query for one page and count the whole result."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(items=items, total_items=total, page_number=page, per_page=per_page)


def paginate_ranked(
    session: Session,
    ranked: Select[Any],
    *,
    records: Select[Any],
    by_id: Any,
    page: int,
    per_page: int,
    kept_as: Hashable | None = None,
) -> Page[Any]:
    """Run a ranked query for one page: order and count ids only, then load that page's `records`.

    Ordering many matches by relevance then sorts ids (read from indexes), not whole records.
    With `kept_as` (a key naming the whole query), the total and the first `KEPT_RANKS` ids are
    kept until the listings change (`generations`), so a repeated search neither counts nor ranks.
    `records` applies the visibility again, so a page never shows a listing hidden since.
    """
    ranked_ids = ranked.with_only_columns(by_id)
    offset = (page - 1) * per_page

    def count() -> int:
        return session.scalar(select(func.count()).select_from(ranked_ids.order_by(None).subquery())) or 0

    if kept_as is not None and offset + per_page <= KEPT_RANKS:
        total, first = kept(
            session,
            kind=LISTINGS,
            key=kept_as,
            compute=lambda: (count(), tuple(session.scalars(ranked_ids.limit(KEPT_RANKS)).all())),
        )
        ids = list(first[offset : offset + per_page])
    else:
        total = count()
        ids = list(session.scalars(ranked_ids.limit(per_page).offset(offset)).all())
    position = {record_id: index for index, record_id in enumerate(ids)}
    found = session.scalars(records.order_by(None).where(by_id.in_(ids))).unique().all() if ids else []
    items = sorted(found, key=lambda record: position[record.id])
    return Page(items=items, total_items=total, page_number=page, per_page=per_page)


def services_query(session: Session, *, view: PublicView, filters: ListingFilters, full: bool) -> Select[Any]:
    """Return the query of public services matching every filter, most relevant first, then by name."""
    query = (
        select(Service)
        .where(view.service_filter(), *listing_conditions(session, replace(filters, search=None)))
        .options(*(FULL_SERVICE_LOAD if full else (selectinload(Service.organization),)))
    )
    return by_relevance(
        query, dialect=_dialect(session), search=filters.search, then=(Service.name, Service.id)
    )


def list_services(
    session: Session, *, view: PublicView, filters: ListingFilters, page: int, per_page: int, full: bool
) -> Page[Service]:
    """Return a page of public services matching every filter, by name (by relevance for a search)."""
    query = services_query(session, view=view, filters=filters, full=full)
    if filters.search is None:
        return paginate(session, query, page=page, per_page=per_page)
    records = services_query(session, view=view, filters=replace(filters, search=None), full=full)
    return paginate_ranked(
        session,
        query,
        records=records,
        by_id=Service.id,
        page=page,
        per_page=per_page,
        kept_as=_keyword_key("services", view, filters),
    )


def find_public_service(session: Session, *, view: PublicView, service_id: uuid.UUID) -> Service | None:
    """Return a public service without its nested records (to check it exists), or None."""
    return session.scalars(select(Service).where(Service.id == service_id, view.service_filter())).first()


def get_service(session: Session, *, view: PublicView, service_id: uuid.UUID) -> Service | None:
    """Return a public service with everything nested, or None."""
    query = select(Service).where(Service.id == service_id, view.service_filter()).options(*FULL_SERVICE_LOAD)
    return session.scalars(query).first()


def service_at_locations_query(
    session: Session, *, view: PublicView, filters: ListingFilters, full: bool
) -> Select[Any]:
    """Return the query of public service-at-locations matching every filter, most relevant first."""
    service_options = FULL_SERVICE_LOAD if full else (selectinload(Service.organization),)
    conditions = listing_conditions(
        session, replace(filters, search=None), terms_at=ServiceAtLocation.location_id
    )
    query = (
        select(ServiceAtLocation)
        .join(ServiceAtLocation.service)
        .where(view.service_filter(), *conditions)
        .options(
            *(
                SERVICE_AT_LOCATION_LOAD
                if full
                else (selectinload(ServiceAtLocation.location).selectinload(Location.addresses),)
            ),
            selectinload(ServiceAtLocation.service).options(*service_options),
        )
    )
    then = (Service.name, ServiceAtLocation.id)
    return by_relevance(query, dialect=_dialect(session), search=filters.search, then=then)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def list_service_at_locations(
    session: Session, *, view: PublicView, filters: ListingFilters, page: int, per_page: int, full: bool
) -> Page[ServiceAtLocation]:
    """Return a page of public service-at-locations matching every filter, by relevance, then service name."""
    query = service_at_locations_query(session, view=view, filters=filters, full=full)
    if filters.search is None:
        return paginate(session, query, page=page, per_page=per_page)
    records = service_at_locations_query(session, view=view, filters=replace(filters, search=None), full=full)
    by_id = ServiceAtLocation.id
    return paginate_ranked(
        session,
        query,
        records=records,
        by_id=by_id,
        page=page,
        per_page=per_page,
        kept_as=_keyword_key("service_at_locations", view, filters),
    )


def _keyword_key(listing: str, view: PublicView, filters: ListingFilters) -> Hashable | None:
    """Return the key a keyword-only search's ranking is kept under (None with other filters).

    Other filters read tables besides services and their places (terms, languages), whose
    writes do not move the `listings` generation.
    """
    if filters.search is None or replace(filters, search=None) != ListingFilters():
        return None
    return (listing, view.hidden_before, tuple(keyword_tokens(filters.search)))


def get_service_at_location(
    session: Session, *, view: PublicView, service_at_location_id: uuid.UUID
) -> ServiceAtLocation | None:
    """Return a public service-at-location with its location and service nested, or None."""
    query = (
        select(ServiceAtLocation)
        .join(ServiceAtLocation.service)
        .where(ServiceAtLocation.id == service_at_location_id, view.service_filter())
        .options(
            *SERVICE_AT_LOCATION_LOAD, selectinload(ServiceAtLocation.service).options(*FULL_SERVICE_LOAD)
        )
    )
    return session.scalars(query).first()


def get_public_service_area(
    session: Session, *, view: PublicView, service_area_id: uuid.UUID
) -> ServiceArea | None:
    """Return the service area of a public service, or None (a search lists it as a place)."""
    query = (
        select(ServiceArea)
        .join(Service, Service.id == ServiceArea.service_id)
        .where(ServiceArea.id == service_area_id, view.service_filter())
    )
    return session.scalars(query).first()


def list_organizations(
    session: Session, *, view: PublicView, search: str | None, page: int, per_page: int, full: bool
) -> Page[Organization]:
    """Return a page of organisations that have at least one public service, by name."""
    query = (
        select(Organization)
        .where(_has_public_service(view))
        .order_by(Organization.name, Organization.id)
        .options(*(_full_organization_load() if full else ()))
    )
    if search:
        query = query.where(*_organization_search(view, search))
    return paginate(session, query, page=page, per_page=per_page)


def get_organization(
    session: Session, *, view: PublicView, organization_id: uuid.UUID
) -> Organization | None:
    """Return an organisation that has a public service, with its details nested, or None."""
    query = (
        select(Organization)
        .where(Organization.id == organization_id, _has_public_service(view))
        .options(*_full_organization_load())
    )
    return session.scalars(query).first()


def list_taxonomies(session: Session, *, search: str | None, page: int, per_page: int) -> Page[Taxonomy]:
    """Return a page of taxonomies, by name."""
    query = select(Taxonomy).order_by(Taxonomy.name, Taxonomy.id)
    if search:
        query = query.where(*_text_contains((Taxonomy.name, Taxonomy.description), search))
    return paginate(session, query, page=page, per_page=per_page)


def get_taxonomy(session: Session, *, taxonomy_id: uuid.UUID) -> Taxonomy | None:
    """Return one taxonomy, or None."""
    return session.get(Taxonomy, taxonomy_id)


@dataclass(frozen=True)
class TermFilters:
    """Filters on taxonomy terms; every one given must hold."""

    search: str | None = None
    taxonomy_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    top_only: bool = False


def list_taxonomy_terms(
    session: Session, *, filters: TermFilters, page: int, per_page: int
) -> Page[TaxonomyTerm]:
    """Return a page of taxonomy terms, by taxonomy then code."""
    query = (
        select(TaxonomyTerm)
        .order_by(TaxonomyTerm.taxonomy, TaxonomyTerm.code, TaxonomyTerm.id)
        .options(selectinload(TaxonomyTerm.taxonomy_detail))
    )
    if filters.search:
        query = query.where(
            *_text_contains((TaxonomyTerm.name, TaxonomyTerm.description, TaxonomyTerm.code), filters.search)
        )
    if filters.taxonomy_id:
        query = query.where(TaxonomyTerm.taxonomy_id == filters.taxonomy_id)
    if filters.parent_id:
        query = query.where(TaxonomyTerm.parent_id == filters.parent_id)
    if filters.top_only:
        query = query.where(TaxonomyTerm.parent_id.is_(None))
    return paginate(session, query, page=page, per_page=per_page)


def get_taxonomy_term(session: Session, *, term_id: uuid.UUID) -> TaxonomyTerm | None:
    """Return one taxonomy term, or None."""
    return session.get(TaxonomyTerm, term_id)


def term_and_descendant_ids(session: Session, term_id: uuid.UUID) -> set[uuid.UUID]:
    """Return the id of a term and of every term below it."""
    return {term_id} | terms_below(session, by="id", value=term_id)


def terms_below(session: Session, *, by: str, value: Any) -> set[uuid.UUID]:
    """Return the ids of the terms whose column `by` ("id" or "code") is `value`, and all terms below."""
    return set(session.scalars(_term_tree(by), {"start": value}))


@functools.cache
def _term_tree(by: str) -> Select[tuple[uuid.UUID]]:
    """Return the recursive statement of `terms_below`, built once: building costs more than running."""
    tree = (
        select(TaxonomyTerm.id)
        .where(getattr(TaxonomyTerm, by) == bindparam("start"))
        .cte("term_tree", recursive=True)
    )
    child = aliased(TaxonomyTerm)
    tree = tree.union(select(child.id).where(child.parent_id == tree.c.id))
    return select(tree.c.id)


class AnyPlace:
    """Where terms count for a service: on the service, or at any location it is delivered at."""


ANY_PLACE = AnyPlace()
# Where the term filters look besides the service: the location in this column, any of its
# locations (ANY_PLACE), or nowhere else (None: a service found by the area it covers).
TermsAt = ColumnElement[Any] | InstrumentedAttribute[Any] | AnyPlace | None


def listing_conditions(
    session: Session, filters: ListingFilters, *, terms_at: TermsAt = ANY_PLACE
) -> list[ColumnElement[bool]]:
    """Return the SQL conditions on `Service` that the filters ask for, values bound by name.

    The statement's shape depends only on `listing_shape(filters)`; `listing_params` gives the
    values, so a statement built once for a shape can run again with other filters' values.
    A term (category, attribute, taxonomy) counts on the service or on the location `terms_at`
    names (HSDS attributes link to either).
    """
    return listing_template(listing_shape(filters), listing_params(session, filters), terms_at=terms_at)


def listing_shape(filters: ListingFilters) -> tuple[int, ...]:
    """Return what the filters' SQL looks like (how many of each condition), not their values."""
    return (
        keyword_shape(filters.search),
        int(filters.taxonomy_term_id is not None),
        int(filters.taxonomy_id is not None),
        int(filters.organization_id is not None),
        int(filters.modified_after is not None),
        len(filters.required_terms),
        int(filters.language is not None),
    )


def listing_params(session: Session, filters: ListingFilters) -> dict[str, Any]:
    """Return the values of the filters' named parameters."""
    params: dict[str, Any] = keyword_params(_dialect(session), filters.search)
    if filters.taxonomy_term_id:
        params["f_term_tree"] = sorted(term_and_descendant_ids(session, filters.taxonomy_term_id))
    if filters.taxonomy_id:
        params["f_taxonomy"] = filters.taxonomy_id
    if filters.organization_id:
        params["f_organization"] = filters.organization_id
    if filters.modified_after:
        params["f_modified_after"] = filters.modified_after
    for index, terms in enumerate(filters.required_terms):
        params[f"f_terms_{index}"] = sorted(terms)
    if filters.language:
        params["f_language"] = filters.language.lower()
    return params


def listing_template(
    shape: tuple[int, ...], params: dict[str, Any], *, terms_at: TermsAt = ANY_PLACE
) -> list[ColumnElement[bool]]:
    """Build the conditions of a filter shape with named parameters (carrying `params` as defaults)."""
    keywords, term_tree, taxonomy, organization, modified_after, term_sets, language = shape

    def value(name: str, **kwargs: Any) -> Any:
        return bindparam(name, params.get(name), **kwargs)

    conditions: list[ColumnElement[bool]] = []
    if keywords:
        conditions.append(keyword_condition(params.get(KEYWORDS_PARAM)))
    if term_tree:
        conditions.append(
            _has_term(Attribute.taxonomy_term_id.in_(value("f_term_tree", expanding=True)), terms_at)
        )
    if taxonomy:
        in_taxonomy = select(TaxonomyTerm.id).where(
            TaxonomyTerm.taxonomy_id == value("f_taxonomy", type_=Uuid)
        )
        conditions.append(_has_term(Attribute.taxonomy_term_id.in_(in_taxonomy), terms_at))
    if organization:
        conditions.append(Service.organization_id == value("f_organization", type_=Uuid))
    if modified_after:
        conditions.append(Service.modified >= value("f_modified_after", type_=UTCDateTime))
    conditions += [
        _has_term(Attribute.taxonomy_term_id.in_(value(f"f_terms_{index}", expanding=True)), terms_at)
        for index in range(term_sets)
    ]
    if language:
        conditions.append(_speaks(value("f_language", type_=String)))
    return conditions


def _speaks(code: Any) -> ColumnElement[bool]:
    """A service speaks a language when it, one of its phones or one of its locations lists it."""
    same_code = func.lower(Language.code) == code
    at_location = (
        select(Language.id)
        .join(ServiceAtLocation, ServiceAtLocation.location_id == Language.location_id)
        .where(ServiceAtLocation.service_id == Service.id, same_code)
    )
    on_phone = (
        select(Language.id)
        .join(Phone, Phone.id == Language.phone_id)
        .where(Phone.service_id == Service.id, same_code)
    )
    return or_(
        exists().where(Language.service_id == Service.id, same_code),
        at_location.exists(),
        on_phone.exists(),
    )


def _has_term(condition: ColumnElement[bool], terms_at: TermsAt) -> ColumnElement[bool]:
    """A term (an attribute meeting `condition`) is on the service, or on the location `terms_at` names."""
    on_service = exists().where(
        Attribute.link_entity == "service", Attribute.link_id == Service.id, condition
    )
    if terms_at is None:
        return on_service
    if isinstance(terms_at, AnyPlace):
        at_location = (
            select(ServiceAtLocation.id)
            .join(
                Attribute,
                and_(Attribute.link_entity == "location", Attribute.link_id == ServiceAtLocation.location_id),
            )
            .where(ServiceAtLocation.service_id == Service.id, condition)
            .exists()
        )
        return or_(on_service, at_location)
    return or_(
        on_service,
        exists().where(Attribute.link_entity == "location", Attribute.link_id == terms_at, condition),
    )


def _has_public_service(view: PublicView) -> ColumnElement[bool]:
    return exists().where(Service.organization_id == Organization.id, view.service_filter())


def _organization_search(view: PublicView, search: str) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for word in search_words(fold(search)):
        service_matches = exists().where(
            Service.organization_id == Organization.id,
            view.service_filter(),
            Service.search_text.contains(word, autoescape=True),
        )
        conditions.append(or_(func.lower(Organization.name).contains(word, autoescape=True), service_matches))
    return conditions


def _text_contains(columns: Sequence[Any], search: str) -> list[ColumnElement[bool]]:
    return [
        or_(*(func.lower(column).contains(word, autoescape=True) for column in columns))
        for word in search_words(search.lower())
    ] or [true()]


def _full_organization_load() -> tuple[Any, ...]:
    return (
        selectinload(Organization.phones).options(PHONE_LOAD),
        selectinload(Organization.contacts).selectinload(Contact.phones),
        selectinload(Organization.services).options(*FULL_SERVICE_LOAD),
        selectinload(Organization.locations).options(
            *LOCATION_LOAD,
            selectinload(Location.service_at_locations).selectinload(ServiceAtLocation.service),
        ),
    )
