"""Document the API from the marshmallow schemas, the one source of truth for shapes and parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask_restx import Api, Namespace, SchemaModel
from marshmallow import Schema

PAGE_FIELDS = {
    "total_items": {"type": "integer", "description": "How many items the whole list holds."},
    "total_pages": {"type": "integer", "description": "How many pages the list fills."},
    "page_number": {"type": "integer", "description": "This page's number, from 1."},
    "size": {"type": "integer", "description": "How many items this page holds."},
    "first_page": {"type": "boolean", "description": "Whether this is the first page."},
    "last_page": {"type": "boolean", "description": "Whether this is the last page."},
    "empty": {"type": "boolean", "description": "Whether the list is empty."},
}


def json_schema(schema: Schema) -> dict[str, Any]:
    """Return the JSON schema of a marshmallow schema, nested schemas inlined (restx ignores $refs)."""
    spec = APISpec(title="x", version="1", openapi_version="2.0", plugins=[MarshmallowPlugin()])
    spec.components.schema("Root", schema=schema)
    definitions = spec.to_dict()["definitions"]
    return _inline(definitions["Root"], definitions)


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(definitions[node["$ref"].rsplit("/", 1)[-1]], definitions)
        return {key: _inline(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    return node


def schema_model(
    api: Api | Namespace, name: str, schema: Schema, *, max_items: Mapping[str, int] | None = None
) -> SchemaModel:
    """Register a marshmallow schema as a documented model; `max_items` caps its lists, by name."""
    document = json_schema(schema)
    return api.schema_model(name, _with_max_items(document, max_items) if max_items else document)


def _with_max_items(node: Any, caps: Mapping[str, int]) -> Any:
    """Give every array property named in `caps`, at any depth, its `maxItems`."""
    if isinstance(node, list):
        return [_with_max_items(item, caps) for item in node]
    if not isinstance(node, dict):
        return node
    capped = {key: _with_max_items(value, caps) for key, value in node.items()}
    for name, prop in capped.get("properties", {}).items():
        if name in caps and prop.get("type") == "array":
            prop["maxItems"] = caps[name]
    return capped


def page_model(api: Api | Namespace, name: str, item_schema: Schema) -> SchemaModel:
    """Register the HSDS page envelope around items of the given schema."""
    properties = {**PAGE_FIELDS, "contents": {"type": "array", "items": json_schema(item_schema)}}
    return api.schema_model(name, {"type": "object", "properties": properties})


def query_params(schema: Schema) -> dict[str, dict[str, Any]]:
    """Describe a query-parameter schema in the shape flask-restx's `doc(params=...)` takes."""
    properties = json_schema(schema).get("properties", {})
    params = {}
    for name, prop in properties.items():
        param: dict[str, Any] = {"in": "query", "type": prop.get("type", "string")}
        for key in ("description", "format", "enum", "minimum", "maximum", "default"):
            if key in prop:
                param[key] = prop[key]
        params[name] = param
    return params
