"""Shapes of search results: the HSDS objects plus how and how far each one matched."""

from __future__ import annotations

from marshmallow import Schema, fields

from services_api.schemas.hsds import (
    FullServiceAtLocationSchema,
    FullServiceSchema,
    ServiceAreaSchema,
    ServiceAtLocationSchema,
    ServiceSchema,
)


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


class PlaceMatchFields(MatchFields):
    """A /service_at_locations result's match, with the service area that matched."""

    service_area = fields.Nested(ServiceAreaSchema, metadata={"description": "The area that matched."})


class ServiceMatchFields(MatchFields):
    """A /services result's match, with the place or area it was found by."""

    service_at_location_id = fields.UUID(metadata={"description": "The nearest matching place."})
    service_area_id = fields.UUID(metadata={"description": "The area that matched."})


class PlaceResultSchema(ServiceAtLocationSchema, PlaceMatchFields):
    """A /service_at_locations search result."""


class FullPlaceResultSchema(FullServiceAtLocationSchema, PlaceMatchFields):
    """A /service_at_locations search result with everything nested."""


class ServiceResultSchema(ServiceSchema, ServiceMatchFields):
    """A /services search result."""


class FullServiceResultSchema(FullServiceSchema, ServiceMatchFields):
    """A /services search result with everything nested."""
