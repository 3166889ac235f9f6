"""Query parameters of geographic search and the access filters, shared by the listing endpoints."""

from __future__ import annotations

import math
import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services_api.core.limits import MAX_CODES_PER_FILTER, distinct

MAX_RADIUS_KM = 200.0
DEFAULT_RADIUS_KM = 10.0
MAX_MIN_RESULTS = 50
MAX_PROXIMITY_METRES = MAX_RADIUS_KM * 1000
LANGUAGE_CODE = re.compile(r"^[A-Za-z]{2}$")
TERM_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,127}$")


class BoundingBox(fields.Field[Any]):
    """`min_lng,min_lat,max_lng,max_lat`; a west edge east of the east edge crosses the antimeridian."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple[float, ...]:
        parts = str(value).split(",")
        if len(parts) != 4:
            raise ValidationError("Must be four numbers: min_lng,min_lat,max_lng,max_lat.")
        try:
            west, south, east, north = (float(part) for part in parts)
        except ValueError:
            raise ValidationError("Must be four numbers: min_lng,min_lat,max_lng,max_lat.") from None
        if not all(math.isfinite(number) for number in (west, south, east, north)):
            raise ValidationError("Must be finite numbers.")
        if not (-180 <= west <= 180 and -180 <= east <= 180):
            raise ValidationError("Longitudes must lie between -180 and 180.")
        if not (-90 <= south <= 90 and -90 <= north <= 90):
            raise ValidationError("Latitudes must lie between -90 and 90.")
        if south > north:
            raise ValidationError("min_lat must not be greater than max_lat.")
        return west, south, east, north


class CodeList(fields.Field[Any]):
    """A repeatable parameter (`attribute=a&attribute=b`), also accepting comma-separated codes.

    Repeated codes count once; more than MAX_CODES_PER_FILTER distinct codes are refused, as each
    one is a condition of the search.
    """

    repeatable = True

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        values = value if isinstance(value, list) else [value]
        codes = distinct(code.strip() for item in values for code in str(item).split(",") if code.strip())
        if len(codes) > MAX_CODES_PER_FILTER:
            raise ValidationError(f"At most {MAX_CODES_PER_FILTER} different codes (got {len(codes)}).")
        for code in codes:
            if not TERM_CODE.match(code):
                raise ValidationError(f"{code[:40]!r} is not a term code.")
        return codes


def _finite(low: float, high: float) -> list[Any]:
    return [validate.Range(min=low, max=high)]


class GeoSearchArgs(Schema):
    """Where to search (a point, a place, a postcode or a map box) and the access filters."""

    lat = fields.Float(
        allow_nan=False, validate=_finite(-90, 90), metadata={"description": "Latitude (WGS84), with lng."}
    )
    lng = fields.Float(
        allow_nan=False, validate=_finite(-180, 180), metadata={"description": "Longitude (WGS84), with lat."}
    )
    near = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "A place name or postcode, resolved offline toward the directory's countries: "
            "`Camden`, `Camden, London`, `Manchester, UK`, `SE1 7PB`, `M13`, `Perth, AU`. The page says "
            "which place it used (`place`) and what else the name may mean (`other_places`)."
        },
    )
    postcode = fields.String(
        validate=validate.Length(min=1, max=20),
        metadata={"description": "HSDS: a postcode, with `proximity`."},
    )
    proximity = fields.Float(
        allow_nan=False,
        validate=validate.Range(min=0, max=MAX_PROXIMITY_METRES, min_inclusive=False),
        metadata={"description": "HSDS: metres from the postcode's centre."},
    )
    radius_km = fields.Float(
        allow_nan=False,
        validate=validate.Range(min=0, max=MAX_RADIUS_KM, min_inclusive=False),
        metadata={
            "description": f"Search radius in km (default {DEFAULT_RADIUS_KM:g}, at most {MAX_RADIUS_KM:g})."
        },
    )
    bbox = BoundingBox(
        metadata={
            "type": "string",
            "description": "Map box `min_lng,min_lat,max_lng,max_lat` instead of a radius.",
        }
    )
    min_results = fields.Integer(
        validate=validate.Range(min=1, max=MAX_MIN_RESULTS),
        metadata={"description": "Add the nearest listings beyond the radius until there are this many."},
    )
    category = fields.String(
        validate=validate.Regexp(TERM_CODE, error="Not a term code."),
        metadata={"description": "A category code (e.g. `housing`); its sub-categories match too."},
    )
    attribute = CodeList(
        metadata={
            "type": "string",
            "description": "Access & safety code, repeatable or comma-separated; every one must hold "
            f"(repeats count once; at most {MAX_CODES_PER_FILTER} different codes).",
        }
    )
    language = fields.String(
        validate=validate.Regexp(LANGUAGE_CODE, error="Must be a two-letter ISO 639-1 code."),
        metadata={"description": "ISO 639-1 code of a language spoken."},
    )
    open_now = fields.Boolean(metadata={"description": "Only listings open now, in their own time zone."})
    open_at = fields.DateTime(
        format="iso",
        metadata={"description": "Only listings open at this ISO 8601 time (without an offset: local time)."},
    )

    @validates_schema
    def check_combinations(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Reject parameters that contradict each other or lack their partner."""
        errors: dict[str, list[str]] = {}
        if ("lat" in data) != ("lng" in data):
            missing = "lng" if "lat" in data else "lat"
            errors[missing] = ["lat and lng must be given together."]
        points = [name for name in ("lat", "near", "postcode") if name in data]
        if len(points) > 1:
            errors[points[1]] = [f"Give only one of lat/lng, near or postcode (got {', '.join(points)})."]
        if "proximity" in data and "postcode" not in data:
            errors["proximity"] = ["proximity needs postcode."]
        if "bbox" in data and ("radius_km" in data or "proximity" in data):
            errors["bbox"] = ["Give either bbox or a radius, not both."]
        if "radius_km" in data and "proximity" in data:
            errors["radius_km"] = ["Give either radius_km or proximity, not both."]
        if ("radius_km" in data or "min_results" in data) and not points and "bbox" not in data:
            name = "radius_km" if "radius_km" in data else "min_results"
            errors[name] = [f"{name} needs a point: lat/lng, near or postcode."]
        if "min_results" in data and "bbox" in data:
            errors["min_results"] = ["min_results needs a radius search, not bbox."]
        if data.get("open_now") and "open_at" in data:
            errors["open_at"] = ["Give either open_now or open_at, not both."]
        if errors:
            raise ValidationError(errors)
