"""Shapes of search results: the HSDS objects plus how and how far each one matched."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_dump

from services_api.schemas.hsds import (
    FullServiceAtLocationSchema,
    FullServiceSchema,
    HSDSSchema,
    LocationSchema,
    ServiceAreaSchema,
    ServiceAtLocationSchema,
    ServiceSchema,
)

BRIEF_LOCATION_FIELDS = tuple(ServiceAtLocationSchema().fields["location"].schema.only or ())  # type: ignore[attr-defined]


class MatchFields(Schema):
    """How a result matched a search: distance, kind of match, and whether `min_results` added it."""

    distance_km = fields.Float(
        metadata={
            "description": "Great-circle distance in km from the searched point (3 decimals); 0 for an area."
        }
    )
    match = fields.String(
        metadata={
            "description": "`location` (a place near the point) or `service_area` (it covers the point)."
        }
    )
    beyond_radius = fields.Boolean(
        metadata={"description": "True when added by `min_results` from beyond the radius."}
    )
    open_now = fields.Boolean(
        allow_none=True,
        metadata={
            "description": "Open at this moment, in the place's own time zone: false when the service's "
            "status is not `active`, null when its hours are unknown."
        },
    )


@post_dump
def _drop_nulls_but_open_now(_schema: Any, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """Remove keys whose value is None, except `open_now`, whose null means "hours unknown"."""
    return {key: value for key, value in data.items() if value is not None or key == "open_now"}


class CodeLabel(HSDSSchema):
    """A taxonomy term or a language: its code and its label."""

    code = fields.String()
    name = fields.String()


class OpeningRange(HSDSSchema):
    """One opening range of a day, local wall-clock times."""

    opens_at = fields.String(metadata={"description": "HH:MM, local time."})
    closes_at = fields.String(
        metadata={"description": "HH:MM, local time; earlier than opens_at: the next day; equal: all day."}
    )


class HoursToday(HSDSSchema):
    """Today's opening hours where the result is, in its own time zone."""

    date = fields.String(metadata={"description": "Today's date there (ISO 8601)."})
    time_zone = fields.String(metadata={"description": "IANA name of the time zone the hours are in."})
    hours = fields.List(
        fields.Nested(OpeningRange),
        metadata={"description": "The ranges opening today, earliest first; empty: closed all day."},
    )


class PhoneNumber(HSDSSchema):
    """A number to call about the result."""

    number = fields.String(metadata={"description": "In E.164, to dial (a short number as its digits)."})
    display_number = fields.String(metadata={"description": "The number as its listing wrote it, to show."})
    extension = fields.Integer()
    type = fields.String()
    description = fields.String()


class SummaryFields(Schema):
    """What a person needs to act on a result, in the brief shapes (not `full` or `minimal`)."""

    hours_today = fields.Nested(HoursToday, metadata={"description": "Absent when the hours are unknown."})
    phone_numbers = fields.List(
        fields.Nested(PhoneNumber),
        metadata={
            "description": "Phones of the place, its location and its service (else its organisation's)."
        },
    )
    languages_spoken = fields.List(
        fields.Nested(CodeLabel),
        metadata={"description": "Languages of the service, of the place and of its phones."},
    )
    categories = fields.List(
        fields.Nested(CodeLabel),
        metadata={"description": "Categories of the service and of the place (codes for `category`)."},
    )
    access_and_safety = fields.List(
        fields.Nested(CodeLabel),
        metadata={"description": "Access & safety terms of the service and place (codes for `attribute`)."},
    )


class PlaceMatchFields(MatchFields):
    """A /service_at_locations result's match, with the service area that matched."""

    service_area = fields.Nested(ServiceAreaSchema, metadata={"description": "The area that matched."})


class ServiceMatchFields(MatchFields):
    """A /services result's match, with the place or area it was found by."""

    service_at_location_id = fields.UUID(metadata={"description": "The nearest matching place."})
    service_area_id = fields.UUID(metadata={"description": "The area that matched."})


class PlaceResultSchema(ServiceAtLocationSchema, PlaceMatchFields, SummaryFields):
    """A /service_at_locations search result, with what a person needs to act on it."""

    drop_nulls = _drop_nulls_but_open_now


class FullPlaceResultSchema(FullServiceAtLocationSchema, PlaceMatchFields):
    """A /service_at_locations search result with everything nested."""

    drop_nulls = _drop_nulls_but_open_now


def _shown_location(brief: bool = True) -> fields.Nested:
    return fields.Nested(
        LocationSchema(only=BRIEF_LOCATION_FIELDS) if brief else LocationSchema(),
        metadata={
            "description": "The place shown: where it was found (nearest first); without a point, "
            "its first place open now, else its first place. Absent for a service found by its area."
        },
    )


class ServiceResultSchema(ServiceSchema, ServiceMatchFields, SummaryFields):
    """A /services search result, with the place it was found at and what a person needs to act on it."""

    location = _shown_location()
    drop_nulls = _drop_nulls_but_open_now


class FullServiceResultSchema(FullServiceSchema, ServiceMatchFields):
    """A /services search result with everything nested."""

    drop_nulls = _drop_nulls_but_open_now


class DocumentedPlaceResult(FullPlaceResultSchema, SummaryFields):
    """The OpenAPI document's /service_at_locations result: every field any of the shapes gives."""


class DocumentedServiceResult(FullServiceResultSchema, SummaryFields):
    """The OpenAPI document's /services result: every field any of the shapes gives."""

    location = _shown_location(brief=False)  # the brief location's fields, under one schema name
