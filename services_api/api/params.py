"""Read and validate query parameters and path ids, answering 400 with the parameter's name."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app, request
from marshmallow import Schema

from services_api.api.errors import ApiError


def parse_query(schema: Schema) -> dict[str, Any]:
    """Load the request's query parameters with `schema`; raise a 400 naming each bad one."""
    args: dict[str, Any] = schema.load(_query_values(schema))
    if "per_page" in schema.fields:
        args["per_page"] = _per_page(args.get("per_page"))
    return args


def _query_values(schema: Schema) -> dict[str, Any]:
    """Return the first value of each parameter, and every value of a repeatable one."""
    values: dict[str, Any] = request.args.to_dict()
    for name, field in schema.fields.items():
        if getattr(field, "repeatable", False) and name in request.args:
            values[name] = request.args.getlist(name)
    return values


def _per_page(requested: int | None) -> int:
    limit = current_app.config["MAX_PER_PAGE"]
    if requested is None:
        return int(current_app.config["DEFAULT_PER_PAGE"])
    if requested > limit:
        raise ApiError(400, "Invalid query parameter: per_page", {"per_page": [f"Must be at most {limit}."]})
    return requested


def parse_id(value: str, name: str = "id") -> uuid.UUID:
    """Parse a path id; raise a 400 naming it when it is not a UUID."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ApiError(400, f"Invalid path parameter: {name}", {name: ["Not a valid UUID."]}) from None
