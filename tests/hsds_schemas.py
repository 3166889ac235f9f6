"""Validate responses against the official HSDS 3.0 JSON schemas vendored in seed_data/hsds-3.0/schema/."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "seed_data" / "hsds-3.0" / "schema"


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")) + sorted((SCHEMA_DIR / "compiled").glob("*.json")):
        if path.name == "openapi.json":
            continue
        name = path.name if path.parent == SCHEMA_DIR else f"compiled/{path.name}"
        resources.append((name, Resource.from_contents(json.loads(path.read_text()), DRAFT202012)))
    return Registry().with_resources(resources)


def hsds_errors(instance: Any, schema_name: str) -> list[str]:
    """Return every way `instance` breaks the named HSDS schema (e.g. "service.json")."""
    schema = _registry().contents(schema_name)
    validator = Draft202012Validator(schema, registry=_registry())
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(instance)
    ]


def assert_hsds(instance: Any, schema_name: str) -> None:
    """Fail with every problem found when `instance` is not valid HSDS of the named schema."""
    errors = hsds_errors(instance, schema_name)
    assert not errors, f"{schema_name}: " + "; ".join(errors[:10])


@cache
def _page_schema() -> dict[str, Any]:
    """Return the HSDS API's Page schema (its envelope members; it allows members of our own)."""
    api = json.loads((SCHEMA_DIR / "openapi.json").read_text())
    schema: dict[str, Any] = api["components"]["schemas"]["Page"]
    return schema


PAGE_KEYS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}


def assert_hsds_page(body: dict[str, Any], item_schema: str, extra: set[str] | None = None) -> None:
    """Fail unless `body` is an HSDS page envelope (plus only the `extra` members) whose items validate."""
    assert set(body) == PAGE_KEYS | (extra or set())
    errors = [error.message for error in Draft202012Validator(_page_schema()).iter_errors(body)]
    assert not errors, f"HSDS Page: {errors[:5]}"
    assert body["size"] == len(body["contents"])
    for item in body["contents"]:
        assert_hsds(item, item_schema)
