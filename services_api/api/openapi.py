"""Document the API from the marshmallow schemas, the one source of truth for shapes and parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask_restx import Api, Namespace, SchemaModel
from marshmallow import Schema, fields, validate

from services_api.core.limits import MAX_SEARCH_WORD_LENGTH, MAX_SEARCH_WORDS
from services_api.schemas.params import few_short_words, no_control_characters, plain_text

PAGE_FIELDS = {
    "total_items": {"type": "integer", "description": "How many items the whole list holds."},
    "total_pages": {"type": "integer", "description": "How many pages the list fills."},
    "page_number": {"type": "integer", "description": "This page's number, from 1."},
    "size": {"type": "integer", "description": "How many items this page holds."},
    "first_page": {"type": "boolean", "description": "Whether this is the first page."},
    "last_page": {"type": "boolean", "description": "Whether this is the last page."},
    "empty": {"type": "boolean", "description": "Whether the list is empty."},
}


# The spaces str.split() splits at, less the control characters no text may hold; a word is a run of
# anything else but control characters.
_SPACES = r" \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE = rf"[{_SPACES}]"
_WORD = rf"[^\x00-\x1f\x7f-\x9f{_SPACES}]{{1,{MAX_SEARCH_WORD_LENGTH}}}"
# What the text validators refuse, as JSON-schema patterns, so that generated requests respect them too
# (the first validator of a field found here gives its pattern).
TEXT_PATTERNS: dict[Any, str] = {
    few_short_words: rf"^{_SPACE}*(?:{_WORD}(?:{_SPACE}+{_WORD}){{0,{MAX_SEARCH_WORDS - 1}}})?{_SPACE}*$",
    no_control_characters: r"^[^\x00-\x1f\x7f-\x9f]*$",
    plain_text: r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
}


def _text_pattern(_converter: Any, field: fields.Field[Any], **_kwargs: Any) -> dict[str, str]:
    for validator, pattern in TEXT_PATTERNS.items():
        if validator in field.validators:
            return {"pattern": pattern}
    return {}


TOMBSTONE_FIELDS = {
    "removed": {
        "type": "object",
        "description": "Only in a tombstone (a listing that left public output): why and since when.",
        "properties": {
            "reason": {
                "type": "string",
                "enum": ["withdrawn", "defunct", "suspended", "rejected", "pending", "hidden", "deleted"],
                "description": "Why it left.",
            },
            "at": {"type": "string", "format": "date-time", "description": "When it left."},
        },
    },
}


def json_schema(schema: Schema) -> dict[str, Any]:
    """Return the JSON schema of a marshmallow schema, nested schemas inlined (restx ignores $refs)."""
    plugin = MarshmallowPlugin()
    spec = APISpec(title="x", version="1", openapi_version="2.0", plugins=[plugin])
    assert plugin.converter is not None
    plugin.converter.add_attribute_function(_text_pattern)
    spec.components.schema("Root", schema=schema)
    definitions = spec.to_dict()["definitions"]
    return cast(dict[str, Any], _inline(definitions["Root"], definitions))


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
    document = _with_text_languages(json_schema(schema))
    return api.schema_model(name, _with_max_items(document, max_items) if max_items else document)


TEXT_LANGUAGE_DOC = {
    "type": "object",
    "description": "services_api: the language of this record's text as shown (`language`), its own "
    "(`original`), those it has (`available`), and the fields shown in the original (`untranslated`, "
    "JSON pointers).",
    "properties": {
        "language": {"type": "string"},
        "original": {"type": "string"},
        "available": {"type": "array", "items": {"type": "string"}},
        "untranslated": {"type": "array", "items": {"type": "string"}},
    },
}
TRANSLATIONS_DOC = {
    "type": "object",
    "description": "services_api: every translation of this record, {language: {field: text}} "
    "(full documents, streams and deltas).",
    "additionalProperties": {"type": "object", "additionalProperties": {"type": "string"}},
}


def _with_text_languages(node: Any) -> Any:
    """Document `text_language` and `translations` on every record with text (added after the dump)."""
    if isinstance(node, list):
        return [_with_text_languages(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _with_text_languages(value) for key, value in node.items()}
    properties = node.get("properties")
    if isinstance(properties, dict) and "id" in properties and {"name", "description"} & properties.keys():
        node["properties"] = {
            **properties,
            "text_language": TEXT_LANGUAGE_DOC,
            "translations": TRANSLATIONS_DOC,
        }
    return node


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


def body_model(
    api: Api | Namespace,
    name: str,
    schema: Schema,
    read_only: frozenset[str],
    *,
    max_items: Mapping[str, int] | None = None,
) -> SchemaModel:
    """Register the body of a write: the record's schema, the fields the server sets marked read-only."""
    document = json_schema(schema)
    for field_name in read_only:
        if field_name in document.get("properties", {}):
            document["properties"][field_name]["readOnly"] = True
    return api.schema_model(name, _with_max_items(document, max_items) if max_items else document)


def list_model(api: Api | Namespace, name: str, item_schema: Schema) -> SchemaModel:
    """Register an unpaged list: `total_items` and every item in `contents`."""
    properties = {
        "total_items": PAGE_FIELDS["total_items"],
        "contents": {"type": "array", "items": json_schema(item_schema)},
    }
    return api.schema_model(name, {"type": "object", "properties": properties})


# Request headers of writes, in the shape flask-restx's `doc(params=...)` takes.
IF_MATCH = {
    "If-Match": {
        "in": "header",
        "type": "string",
        "minLength": 1,
        "required": True,
        "description": "The ETag you last read of the record; a write without it gets 428, with another 412.",
    }
}
IDEMPOTENCY_KEY = {
    "Idempotency-Key": {
        "in": "header",
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "description": "Optional: a retry with the same key and body gets the first answer, not a new write.",
    }
}


PLACE_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "description": "The place's name, or the postcode as typed (spaced)."},
    "kind": {
        "type": "string",
        "description": "What it is: city, town, village, neighbourhood, borough, postcode district, "
        "postcode sector or postcode.",
    },
    "part_of": {"type": "string", "x-nullable": True, "description": "The city it lies in, if any."},
    "district": {"type": "string", "x-nullable": True, "description": "Its district, borough or county."},
    "region": {"type": "string", "x-nullable": True, "description": "Its first-level division (England)."},
    "country": {"type": "string", "description": "ISO 3166 country code."},
    "latitude": {"type": "number"},
    "longitude": {"type": "number"},
    "precision": {
        "type": "string",
        "description": "What the point is the centre of: the same as kind, or for a postcode the "
        "postcode sector or district it fell back to when the gazetteer lacks the postcode itself.",
    },
    "near": {"type": "string", "description": "A `near=` value that resolves to exactly this place."},
}
PLACE_OBJECT = {"type": "object", "properties": PLACE_FIELDS}


def page_model(
    api: Api | Namespace, name: str, item_schema: Schema, *, tombstones: bool = False, places: bool = False
) -> SchemaModel:
    """Register the HSDS page envelope around items of the given schema (or, with `modified_after`,
    tombstones: Swagger 2.0 has no oneOf, so no item field is required then); with `places`, the
    place a search by name or postcode used (members of our own, which HSDS's Page allows)."""
    items = _with_text_languages(json_schema(item_schema))
    if tombstones:
        items.pop("required", None)
        items["description"] = (
            "A listing, or with modified_after a tombstone: the listing as a valid HSDS record no "
            "longer active (status `inactive` or `defunct`), with `removed`."
        )
        items["properties"] = {**TOMBSTONE_FIELDS, **items.get("properties", {})}
    properties = {**PAGE_FIELDS, "contents": {"type": "array", "items": items}}
    if places:
        properties["place"] = {
            **PLACE_OBJECT,
            "description": "With near= or postcode=: the place searched around.",
        }
        properties["other_places"] = {
            "type": "array",
            "items": PLACE_OBJECT,
            "description": "With near=: other places of that name (up to five), to offer as "
            "'Did you mean ...?'; each one's `near` finds it.",
        }
    if tombstones:
        properties["next_cursor"] = {
            "type": "string",
            "x-nullable": True,
            "description": "With modified_after: the cursor of the next page (null on the last).",
        }
    return api.schema_model(name, {"type": "object", "properties": properties})


PARAM_KEYWORDS = ("description", "format", "enum", "minimum", "maximum", "minLength", "maxLength", "pattern")


def query_params(schema: Schema) -> dict[str, dict[str, Any]]:
    """Describe a query-parameter schema in the shape flask-restx's `doc(params=...)` takes."""
    properties = json_schema(schema).get("properties", {})
    params = {}
    for name, prop in properties.items():
        param: dict[str, Any] = {"in": "query", "type": prop.get("type", "string")}
        for key in PARAM_KEYWORDS:
            if key in prop:
                param[key] = prop[key]
        if prop.get("default") is not None:
            param["default"] = prop["default"]
        param.update(_exclusive_bounds(schema, name))
        params[name] = param
    return params


def _exclusive_bounds(schema: Schema, name: str) -> dict[str, bool]:
    """Swagger 2.0's exclusiveMinimum/Maximum for a Range that leaves out its bound (apispec omits them)."""
    bounds: dict[str, bool] = {}
    field = schema.fields.get(name)
    for validator in getattr(field, "validators", []):
        if isinstance(validator, validate.Range):
            if validator.min is not None and not validator.min_inclusive:
                bounds["exclusiveMinimum"] = True
            if validator.max is not None and not validator.max_inclusive:
                bounds["exclusiveMaximum"] = True
    return bounds


CONSUMES = "x-consumes"  # restx documents `consumes` only for forms: operations set this, finish() renames it


def finish(spec: dict[str, Any], *, max_per_page: int) -> dict[str, Any]:
    """Complete restx's document: the configured MAX_PER_PAGE, and the media types each body may have."""
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            if CONSUMES in operation:
                operation["consumes"] = operation.pop(CONSUMES)
            for param in operation.get("parameters", []):
                if param.get("name") == "per_page" and param.get("in") == "query":
                    param["maximum"] = max_per_page
    return spec
