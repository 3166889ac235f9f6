"""HSDS 3.0 shapes of what the public API returns.

Dump with `public_context(view)` active: nested lists keep only public services, stale ones
are marked, and confidential locations show only their area and a coarse point.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from marshmallow import Schema, fields, post_dump
from marshmallow.experimental.context import Context

from services_api.core.directory.visibility import PublicView
from services_api.core.field_rules import doc_of
from services_api.models import Location, Organization, Service

STALE_NOTICE = "Not confirmed by its provider since {date}: please check before you go."


@contextmanager
def public_context(view: PublicView) -> Iterator[None]:
    """Make `view` the public view that the schemas below dump with."""
    with Context({"view": view}):
        yield


def current_view() -> PublicView:
    """Return the public view set by `public_context`."""
    view: PublicView = Context[dict[str, Any]].get()["view"]
    return view


SchemaClass = TypeVar("SchemaClass", bound=type[Schema])


def follows_field_rules(table: str) -> Callable[[SchemaClass], SchemaClass]:
    """Document on each field of the schema the rule its column follows on input (`core.field_rules`)."""

    def document(schema: SchemaClass) -> SchemaClass:
        for name, field in schema._declared_fields.items():
            field.metadata = {**doc_of(table, name), **field.metadata}
        return schema

    return document


class HSDSSchema(Schema):
    """Base of every output schema: HSDS omits absent values instead of writing null."""

    @post_dump
    def drop_nulls(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """Remove keys whose value is None."""
        return {key: value for key, value in data.items() if value is not None}


@follows_field_rules("taxonomy")
class TaxonomySchema(HSDSSchema):
    """HSDS `taxonomy`."""

    id = fields.UUID(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    uri = fields.String()
    version = fields.String()


@follows_field_rules("taxonomy_term")
class TaxonomyTermSchema(HSDSSchema):
    """HSDS `taxonomy_term`, with its taxonomy nested as `taxonomy_detail`."""

    id = fields.UUID(required=True)
    code = fields.String()
    name = fields.String(required=True)
    description = fields.String(required=True)
    parent_id = fields.UUID()
    taxonomy = fields.String()
    taxonomy_id = fields.UUID()
    taxonomy_detail = fields.Nested(TaxonomySchema)
    language = fields.String()
    term_uri = fields.String()


class AttributeSchema(HSDSSchema):
    """HSDS `attribute`: a taxonomy term applied to a record."""

    id = fields.UUID(required=True)
    link_id = fields.UUID()
    link_type = fields.String()
    link_entity = fields.String()
    taxonomy_term_id = fields.UUID()
    value = fields.String()
    taxonomy_term = fields.Nested(TaxonomyTermSchema(exclude=("taxonomy_detail",)))


@follows_field_rules("language")
class LanguageSchema(HSDSSchema):
    """HSDS `language`."""

    id = fields.UUID(required=True)
    service_id = fields.UUID()
    location_id = fields.UUID()
    phone_id = fields.UUID()
    name = fields.String()
    code = fields.String()
    note = fields.String()


@follows_field_rules("phone")
class PhoneSchema(HSDSSchema):
    """HSDS `phone`."""

    id = fields.UUID(required=True)
    location_id = fields.UUID()
    service_id = fields.UUID()
    organization_id = fields.UUID()
    contact_id = fields.UUID()
    service_at_location_id = fields.UUID()
    number = fields.String(
        required=True,
        metadata={
            "description": "The number in E.164 (+442079460000), read in the listing's country; a short "
            "number (a helpline such as 116 123) as its digits."
        },
    )
    display_number = fields.String(
        metadata={"description": "The number as typed, for people (when given, the same number as `number`)."}
    )
    extension = fields.Integer()
    type = fields.String()
    description = fields.String()
    languages = fields.List(fields.Nested(LanguageSchema))


@follows_field_rules("contact")
class ContactSchema(HSDSSchema):
    """HSDS `contact`."""

    id = fields.UUID(required=True)
    organization_id = fields.UUID()
    service_id = fields.UUID()
    service_at_location_id = fields.UUID()
    location_id = fields.UUID()
    name = fields.String()
    title = fields.String()
    department = fields.String()
    email = fields.String()
    phones = fields.List(fields.Nested(PhoneSchema))


@follows_field_rules("schedule")
class ScheduleSchema(HSDSSchema):
    """HSDS `schedule`: one weekly (or monthly) opening rule."""

    id = fields.UUID(required=True)
    service_id = fields.UUID()
    location_id = fields.UUID()
    service_at_location_id = fields.UUID()
    valid_from = fields.Date()
    valid_to = fields.Date()
    dtstart = fields.Date()
    timezone = fields.Float()
    until = fields.Date()
    count = fields.Integer()
    wkst = fields.String()
    freq = fields.String()
    interval = fields.Integer()
    byday = fields.String()
    byweekno = fields.String()
    bymonthday = fields.String()
    byyearday = fields.String()
    description = fields.String()
    opens_at = fields.Time()
    closes_at = fields.Time()
    schedule_link = fields.String()
    attending_type = fields.String()
    notes = fields.String()


class AddressSchema(HSDSSchema):
    """HSDS `address`."""

    id = fields.UUID(required=True)
    location_id = fields.UUID()
    attention = fields.String()
    address_1 = fields.String(required=True)
    address_2 = fields.String()
    city = fields.String(required=True)
    region = fields.String()
    state_province = fields.String(required=True)
    postal_code = fields.String(required=True)
    country = fields.String(required=True)
    address_type = fields.String(required=True)


@follows_field_rules("accessibility")
class AccessibilitySchema(HSDSSchema):
    """HSDS `accessibility`."""

    id = fields.UUID(required=True)
    location_id = fields.UUID()
    description = fields.String()
    details = fields.String()
    url = fields.String()


CONFIDENTIAL_WITHHELD = ("transportation", "external_identifier", "external_identifier_type", "url")
AREA_ADDRESS_FIELDS = ("id", "location_id", "city", "region", "state_province", "country", "address_type")


@follows_field_rules("location")
class LocationSchema(HSDSSchema):
    """HSDS `location`; a confidential one shows only its area and a coarse grid point."""

    id = fields.UUID(required=True)
    location_type = fields.String(required=True)
    url = fields.String()
    organization_id = fields.UUID()
    name = fields.String()
    alternate_name = fields.String()
    description = fields.String()
    transportation = fields.String()
    latitude = fields.Float(attribute="public_latitude")
    longitude = fields.Float(attribute="public_longitude")
    external_identifier = fields.String()
    external_identifier_type = fields.String()
    time_zone = fields.String(metadata={"description": "IANA time zone name of the location."})
    confidential = fields.Boolean(
        metadata={"description": "True for a refuge or safe house: street address withheld, point coarsened."}
    )
    languages = fields.List(fields.Nested(LanguageSchema))
    addresses = fields.Method("dump_addresses")
    contacts = fields.List(fields.Nested(ContactSchema))
    accessibility = fields.List(fields.Nested(AccessibilitySchema))
    phones = fields.List(fields.Nested(PhoneSchema))
    schedules = fields.List(fields.Nested(ScheduleSchema))
    attributes = fields.List(fields.Nested(AttributeSchema))

    def dump_addresses(self, location: Location) -> list[dict[str, Any]]:
        """Dump the addresses; for a confidential location only the area-level parts."""
        if not location.confidential:
            return cast(list[dict[str, Any]], ADDRESS.dump(location.addresses, many=True))
        return [
            {**AREA_ADDRESS.dump(address), "address_1": "", "postal_code": ""}
            for address in location.addresses
        ]

    @post_dump(pass_original=True)
    def withhold_confidential(
        self, data: dict[str, Any], location: Location, **_kwargs: Any
    ) -> dict[str, Any]:
        """Drop the fields that could lead someone to a confidential location."""
        if location.confidential:
            for name in CONFIDENTIAL_WITHHELD:
                data.pop(name, None)
        return data


@follows_field_rules("service_area")
class ServiceAreaSchema(HSDSSchema):
    """HSDS `service_area`."""

    id = fields.UUID(required=True)
    service_id = fields.UUID()
    name = fields.String()
    description = fields.String()
    extent = fields.String()
    extent_type = fields.String()
    uri = fields.String()


class CostOptionSchema(HSDSSchema):
    """HSDS `cost_option`."""

    id = fields.UUID(required=True)
    service_id = fields.UUID()
    valid_from = fields.Date()
    valid_to = fields.Date()
    option = fields.String()
    currency = fields.String()
    amount = fields.Float()
    amount_description = fields.String()


@follows_field_rules("organization")
class OrganizationSchema(HSDSSchema):
    """HSDS `organization`, one-to-one fields only."""

    id = fields.UUID(required=True)
    name = fields.String(required=True)
    alternate_name = fields.String()
    description = fields.String(required=True)
    email = fields.String()
    website = fields.String()
    tax_status = fields.String()
    tax_id = fields.String()
    year_incorporated = fields.Integer()
    legal_status = fields.String()
    logo = fields.String()
    uri = fields.String()
    parent_organization_id = fields.UUID()


@follows_field_rules("service")
class ServiceSchema(HSDSSchema):
    """HSDS `service`, one-to-one fields, its organisation, and our freshness marker."""

    id = fields.UUID(required=True)
    organization_id = fields.UUID()
    program_id = fields.UUID()
    name = fields.String(required=True)
    alternate_name = fields.String()
    description = fields.String()
    url = fields.String()
    email = fields.String()
    status = fields.String(required=True)
    interpretation_services = fields.String()
    application_process = fields.String()
    fees_description = fields.String()
    wait_time = fields.String()
    fees = fields.String()
    accreditations = fields.String()
    eligibility_description = fields.String()
    minimum_age = fields.Float()
    maximum_age = fields.Float()
    assured_date = fields.Date()
    assurer_email = fields.String()
    licenses = fields.String()
    alert = fields.String()
    last_modified = fields.DateTime(attribute="modified")
    last_verified_at = fields.Function(
        lambda service: service.last_verified_at.date().isoformat() if service.last_verified_at else None,
        metadata={"description": "Day the provider or the operator last confirmed this listing."},
    )
    stale = fields.Function(
        lambda service: current_view().is_stale(service),
        metadata={"description": "True when the listing has not been confirmed for a long time."},
    )
    organization = fields.Nested(OrganizationSchema)

    @post_dump(pass_original=True)
    def announce_staleness(self, data: dict[str, Any], service: Service, **_kwargs: Any) -> dict[str, Any]:
        """Put a notice in `alert`, which every HSDS client shows, when the listing is stale."""
        if data.get("stale"):
            notice = STALE_NOTICE.format(date=data.get("last_verified_at", "an unknown date"))
            data["alert"] = f"{notice} {data['alert']}" if data.get("alert") else notice
        return data


class ServiceAtLocationSchema(HSDSSchema):
    """HSDS `service_at_location` with its location and service (one-to-one fields)."""

    id = fields.UUID(required=True)
    service_id = fields.UUID()
    location_id = fields.UUID()
    description = fields.String()
    location = fields.Nested(
        LocationSchema(
            only=(
                "id",
                "location_type",
                "name",
                "latitude",
                "longitude",
                "time_zone",
                "confidential",
                "addresses",
                "organization_id",
                "description",
            )
        )
    )
    service = fields.Nested(ServiceSchema)


class FullServiceAtLocationSchema(ServiceAtLocationSchema):
    """A service-at-location with everything nested."""

    contacts = fields.List(fields.Nested(ContactSchema))
    phones = fields.List(fields.Nested(PhoneSchema))
    schedules = fields.List(fields.Nested(ScheduleSchema))
    location = fields.Nested(LocationSchema)
    service = fields.Nested(lambda: FullServiceSchema(exclude=("service_at_locations",)))


class FullServiceSchema(ServiceSchema):
    """A service with everything nested (HSDS `/services/{id}`)."""

    phones = fields.List(fields.Nested(PhoneSchema))
    schedules = fields.List(fields.Nested(ScheduleSchema))
    service_areas = fields.List(fields.Nested(ServiceAreaSchema))
    service_at_locations = fields.List(fields.Nested(FullServiceAtLocationSchema(exclude=("service",))))
    languages = fields.List(fields.Nested(LanguageSchema))
    cost_options = fields.List(fields.Nested(CostOptionSchema))
    contacts = fields.List(fields.Nested(ContactSchema))
    attributes = fields.List(fields.Nested(AttributeSchema))


class FullOrganizationSchema(OrganizationSchema):
    """An organisation with its phones, contacts, public locations and public services nested."""

    phones = fields.List(fields.Nested(PhoneSchema))
    contacts = fields.List(fields.Nested(ContactSchema))
    locations = fields.Method("dump_locations")
    services = fields.Method("dump_services")

    full_services = False

    def dump_locations(self, organization: Organization) -> list[dict[str, Any]]:
        """Dump the locations where a public service of this organisation is delivered."""
        view = current_view()
        public = [
            location
            for location in organization.locations
            if any(view.is_public(link.service) for link in location.service_at_locations)
        ]
        return cast(list[dict[str, Any]], LOCATION.dump(public, many=True))

    def dump_services(self, organization: Organization) -> list[dict[str, Any]]:
        """Dump the organisation's public services, in brief or in full."""
        view = current_view()
        public = [service for service in organization.services if view.is_public(service)]
        schema = FULL_SERVICE_IN_ORGANIZATION if self.full_services else SERVICE_IN_ORGANIZATION
        return cast(list[dict[str, Any]], schema.dump(public, many=True))


class FullOrganizationWithFullServicesSchema(FullOrganizationSchema):
    """An organisation with full services nested (HSDS `full_service=true`)."""

    full_services = True


ADDRESS = AddressSchema()
AREA_ADDRESS = AddressSchema(only=AREA_ADDRESS_FIELDS)
LOCATION = LocationSchema()
SERVICE_IN_ORGANIZATION = ServiceSchema(exclude=("organization",))
FULL_SERVICE_IN_ORGANIZATION = FullServiceSchema(exclude=("organization",))
