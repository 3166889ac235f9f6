"""The OpenAPI 3.1 document, converted from the Swagger 2.0 document flask-restx builds.

Both come from the same marshmallow schemas (see `api.openapi`): restx documents the routes, their
parameters and statuses; this turns its document into OpenAPI 3.1 (the version the HSDS API itself
is specified in), so there is one source and no second description to keep in step by hand:
- `definitions` become `components/schemas`, and every `$ref` follows;
- a parameter's type and limits move into its `schema`; a body parameter becomes `requestBody`,
  one content entry per media type it consumes;
- a response's schema becomes `content` for each media type its operation produces;
- `x-nullable` becomes a `null` type, a boolean `exclusiveMinimum`/`Maximum` the bound itself;
- `basePath` becomes `servers`, `securityDefinitions` become `components/securitySchemes`.
"""

from __future__ import annotations

from typing import Any

OPENAPI_VERSION = "3.1.0"
SCHEMA_KEYWORDS = (
    "type",
    "format",
    "enum",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
)
METHODS = ("get", "put", "post", "delete", "options", "head", "patch")


def to_openapi31(swagger: dict[str, Any]) -> dict[str, Any]:
    """Return the OpenAPI 3.1 form of a Swagger 2.0 document."""
    produces = swagger.get("produces", ["application/json"])
    consumes = swagger.get("consumes", ["application/json"])
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": swagger["info"],
        "servers": [{"url": swagger.get("basePath", "/")}],
        "paths": {},
        "components": {
            "schemas": {name: schema(node) for name, node in swagger.get("definitions", {}).items()},
            "securitySchemes": {
                name: {key: value for key, value in scheme.items()}
                for name, scheme in swagger.get("securityDefinitions", {}).items()
            },
        },
    }
    if "tags" in swagger:
        document["tags"] = swagger["tags"]
    for path, item in swagger["paths"].items():
        converted: dict[str, Any] = {}
        if "parameters" in item:
            converted["parameters"] = [_parameter(param) for param in item["parameters"]]
        for method in METHODS:
            if method in item:
                converted[method] = _operation(item[method], produces=produces, consumes=consumes)
        document["paths"][path] = converted
    return document


def schema(node: Any) -> Any:
    """Return a Swagger 2.0 schema as a JSON Schema 2020-12 one (OpenAPI 3.1's dialect)."""
    if isinstance(node, list):
        return [schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            converted[key] = value.replace("#/definitions/", "#/components/schemas/")
        elif key in ("properties", "patternProperties", "definitions"):
            converted[key] = {name: schema(child) for name, child in value.items()}
        elif key == "x-nullable":
            continue
        else:
            converted[key] = schema(value)
    if node.get("x-nullable"):
        kind = converted.get("type")
        if isinstance(kind, str):
            converted["type"] = [kind, "null"]
        elif "$ref" in converted:
            converted = {"anyOf": [{"$ref": converted.pop("$ref")}, {"type": "null"}], **converted}
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if converted.get(exclusive) is True and bound in converted:
            converted[exclusive] = converted.pop(bound)
        elif converted.get(exclusive) is False:
            converted.pop(exclusive)
    return converted


def _parameter(param: dict[str, Any]) -> dict[str, Any]:
    converted: dict[str, Any] = {
        key: param[key] for key in ("name", "in", "description", "required") if key in param
    }
    if param.get("in") == "path":
        converted["required"] = True
    converted["schema"] = schema(
        {key: param[key] for key in (*SCHEMA_KEYWORDS, "x-nullable") if key in param}
    )
    if param.get("collectionFormat") == "multi":
        converted["explode"] = True
    return converted


def _operation(operation: dict[str, Any], *, produces: list[str], consumes: list[str]) -> dict[str, Any]:
    converted: dict[str, Any] = {
        key: operation[key]
        for key in ("tags", "summary", "description", "operationId", "security", "deprecated")
        if key in operation
    }
    parameters = [param for param in operation.get("parameters", []) if param.get("in") != "body"]
    bodies = [param for param in operation.get("parameters", []) if param.get("in") == "body"]
    if parameters:
        converted["parameters"] = [_parameter(param) for param in parameters]
    if bodies:
        body = bodies[0]
        media_types = operation.get("consumes", consumes)
        converted["requestBody"] = {
            "required": bool(body.get("required", False)),
            "content": {media_type: {"schema": schema(body["schema"])} for media_type in media_types},
        }
        if "description" in body:
            converted["requestBody"]["description"] = body["description"]
    media_types = operation.get("produces", produces)
    converted["responses"] = {
        code: _response(response, media_types if code.startswith("2") else ["application/json"])
        for code, response in operation["responses"].items()
    }
    return converted


def _response(response: dict[str, Any], media_types: list[str]) -> dict[str, Any]:
    """A response: its schema for JSON media types; other media types (ndjson, zip) only named."""
    converted: dict[str, Any] = {"description": response.get("description", "")}
    if "headers" in response:
        converted["headers"] = {
            name: {
                **({"description": header["description"]} if "description" in header else {}),
                "schema": schema({key: value for key, value in header.items() if key in SCHEMA_KEYWORDS}),
            }
            for name, header in response["headers"].items()
        }
    if "schema" in response:
        body = schema(response["schema"])
        converted["content"] = {
            media_type: {"schema": body} if media_type.endswith("json") else {} for media_type in media_types
        }
    elif any(not media_type.endswith("json") for media_type in media_types):
        converted["content"] = {
            media_type: {} for media_type in media_types if not media_type.endswith("json")
        }
    return converted
