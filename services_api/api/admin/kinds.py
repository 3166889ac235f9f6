"""The admin documents of the editable kinds, by kind name (for the OpenAPI models)."""

from __future__ import annotations

from marshmallow import Schema

from services_api.core.listings.editing import LOCATIONS, SERVICE_AT_LOCATIONS, SERVICES

SCHEMAS: dict[str, Schema] = {kind.name: kind.schema for kind in (SERVICES, LOCATIONS, SERVICE_AT_LOCATIONS)}
