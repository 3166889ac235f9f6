"""Shapes of search results: the HSDS objects plus how and how far each one matched."""

from __future__ import annotations

from marshmallow import fields

from .hsds import (
    FullServiceAtLocationSchema,
    FullServiceSchema,
    ServiceAreaSchema,
    ServiceAtLocationSchema,
    ServiceSchema,
)

DISTANCE = "Great-circle distance in km from the searched point (3 decimals); 0 for an area match."
MATCH = "`location` (a place near the point) or `service_area` (the service covers the point)."
BEYOND = "True when added by `min_results` from beyond the radius."


class PlaceResultSchema(ServiceAtLocationSchema):
    """A /service_at_locations search result."""

    distance_km = fields.Float(metadata={"description": DISTANCE})
    match = fields.String(metadata={"description": MATCH})
    beyond_radius = fields.Boolean(metadata={"description": BEYOND})
    service_area = fields.Nested(ServiceAreaSchema, metadata={"description": "The area that matched."})


class FullPlaceResultSchema(FullServiceAtLocationSchema):
    """A /service_at_locations search result with everything nested."""

    distance_km = fields.Float(metadata={"description": DISTANCE})
    match = fields.String(metadata={"description": MATCH})
    beyond_radius = fields.Boolean(metadata={"description": BEYOND})
    service_area = fields.Nested(ServiceAreaSchema, metadata={"description": "The area that matched."})


class ServiceResultSchema(ServiceSchema):
    """A /services search result."""

    distance_km = fields.Float(metadata={"description": DISTANCE})
    match = fields.String(metadata={"description": MATCH})
    beyond_radius = fields.Boolean(metadata={"description": BEYOND})
    service_at_location_id = fields.UUID(metadata={"description": "The nearest matching place."})
    service_area_id = fields.UUID(metadata={"description": "The area that matched."})


class FullServiceResultSchema(FullServiceSchema):
    """A /services search result with everything nested."""

    distance_km = fields.Float(metadata={"description": DISTANCE})
    match = fields.String(metadata={"description": MATCH})
    beyond_radius = fields.Boolean(metadata={"description": BEYOND})
    service_at_location_id = fields.UUID(metadata={"description": "The nearest matching place."})
    service_area_id = fields.UUID(metadata={"description": "The area that matched."})
