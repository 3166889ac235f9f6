"""HSDS 3.0 as tables: the tabular data package's tables, and nested HSDS objects flattened into rows.

A nested object (a service with its phones, its organisation, its service-at-locations...) becomes
rows of the HSDS tables, each child carrying its parent's id in the foreign-key column HSDS names,
exactly as the official CSV package lays them out. Both the export (JSON API shapes -> CSV) and the
import (JSON or CSV -> one set of tables) go through this.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from services_api.core.seeding.demo import SEED_DIR

DATAPACKAGE_FILE = SEED_DIR / "hsds-3.0" / "datapackage.json"

CHILD, PARENT, LINK = "child", "parent", "link"

# Our additions, appended after the HSDS columns of their table (the JSON API has them too).
EXTRA_COLUMNS: dict[str, tuple[dict[str, Any], ...]] = {
    "service": (
        {
            "name": "last_verified_at",
            "type": "date",
            "description": "services_api: day the provider or the operator last confirmed this listing.",
        },
    ),
    "phone": (
        {
            "name": "display_number",
            "type": "string",
            "description": "services_api: the number as typed, for people; `number` holds it in E.164.",
        },
    ),
    "location": (
        {"name": "time_zone", "type": "string", "description": "services_api: IANA time zone name."},
        {
            "name": "confidential",
            "type": "boolean",
            "description": "services_api: a refuge or safe house: street address withheld, point coarsened.",
        },
    ),
}


def _extension(name: str, path: str, description: str, fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "description": f"services_api extension: {description}",
        "format": "csv",
        "mediatype": "text/csv",
        "profile": "tabular-data-resource",
        "schema": {"primaryKey": "id", "fields": fields},
    }


def _text(name: str, description: str, *, required: bool = True) -> dict[str, Any]:
    return {"name": name, "type": "string", "description": description, "constraints": {"required": required}}


# Named apart from the models' tables, so the HSDS checks (by model) pass them by.
TRANSLATION_TABLE, TEXT_LANGUAGE_TABLE = "translations", "text_languages"
# Our own tables, declared in the export's datapackage.json after the HSDS ones.
EXTENSION_TABLES: tuple[dict[str, Any], ...] = (
    _extension(
        TRANSLATION_TABLE,
        "translations.csv",
        "a partner's translation of one field of one record into one language (BCP 47).",
        [
            {**_text("id", "Identifier of the translated field."), "format": "uuid"},
            _text("record_kind", "The table of the record: service, organization, location, phone, ..."),
            {**_text("record_id", "The id of the record translated."), "format": "uuid"},
            _text("field", "The column translated (name, description, ...)."),
            _text("language", "The BCP 47 language tag of the text (es, pt-BR)."),
            _text("text", "The translated text."),
        ],
    ),
    _extension(
        TEXT_LANGUAGE_TABLE,
        "text_languages.csv",
        "the language of a service's, organisation's or location's own text (BCP 47).",
        [
            {**_text("id", "The id of the record."), "format": "uuid"},
            _text("record_kind", "The table of the record: service, organization or location."),
            _text("language", "The BCP 47 language tag of the record's own text."),
        ],
    ),
)
TRANSLATIONS_MEMBER, TEXT_LANGUAGE_MEMBER = "translations", "text_language"
TEXT_HOLDERS = ("service", "organization", "location")
BOOLEAN_COLUMNS = frozenset({("location", "confidential")})


def _children(fk: str, *keys: str) -> dict[str, tuple[str, str, str]]:
    tables = {
        "phones": "phone",
        "contacts": "contact",
        "locations": "location",
        "services": "service",
        "programs": "program",
        "funding": "funding",
        "organization_identifiers": "organization_identifier",
        "schedules": "schedule",
        "service_areas": "service_area",
        "service_at_locations": "service_at_location",
        "languages": "language",
        "cost_options": "cost_option",
        "required_documents": "required_document",
        "addresses": "address",
        "accessibility": "accessibility",
    }
    return {key: (tables[key], CHILD, fk) for key in keys}


LINKED = {"attributes": ("attribute", LINK, "link_id"), "metadata": ("metadata", LINK, "resource_id")}

# How each HSDS object nests others: JSON key -> (table, how it is linked, the linking column).
NESTING: dict[str, dict[str, tuple[str, str, str]]] = {
    "organization": {
        **_children(
            "organization_id",
            "phones",
            "contacts",
            "locations",
            "services",
            "programs",
            "funding",
            "organization_identifiers",
        ),
        **LINKED,
    },
    "service": {
        "organization": ("organization", PARENT, "organization_id"),
        "program": ("program", PARENT, "program_id"),
        **_children(
            "service_id",
            "phones",
            "schedules",
            "service_areas",
            "service_at_locations",
            "languages",
            "funding",
            "cost_options",
            "contacts",
            "required_documents",
        ),
        **LINKED,
    },
    "service_at_location": {
        "service": ("service", PARENT, "service_id"),
        "location": ("location", PARENT, "location_id"),
        **_children("service_at_location_id", "contacts", "phones", "schedules"),
        **LINKED,
    },
    "location": {
        **_children(
            "location_id", "languages", "addresses", "contacts", "accessibility", "phones", "schedules"
        ),
        **LINKED,
    },
    "phone": {**_children("phone_id", "languages"), **LINKED},
    "contact": {**_children("contact_id", "phones"), **LINKED},
    "attribute": {"taxonomy_term": ("taxonomy_term", PARENT, "taxonomy_term_id"), **LINKED},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", PARENT, "taxonomy_id"), **LINKED},
    "program": {**_children("program_id", "services"), **LINKED},
}


@cache
def datapackage() -> dict[str, Any]:
    """Return the official HSDS 3.0 data package descriptor."""
    descriptor: dict[str, Any] = json.loads(DATAPACKAGE_FILE.read_text(encoding="utf-8"))
    return descriptor


@cache
def table_columns() -> dict[str, tuple[str, ...]]:
    """Return each HSDS table's columns in the official order, then our additions."""
    return {
        resource["name"]: tuple(column["name"] for column in resource["schema"]["fields"])
        + tuple(extra["name"] for extra in EXTRA_COLUMNS.get(resource["name"], ()))
        for resource in [*datapackage()["resources"], *EXTENSION_TABLES]
    }


@cache
def table_files() -> dict[str, str]:
    """Return each table's CSV file name (`organization` -> `organizations.csv`), our extensions last."""
    return {
        resource["name"]: resource["path"] for resource in [*datapackage()["resources"], *EXTENSION_TABLES]
    }


def export_descriptor() -> dict[str, Any]:
    """Return the data package descriptor of our export: the official one, our extra columns declared."""
    descriptor: dict[str, Any] = json.loads(json.dumps(datapackage()))
    for resource in descriptor["resources"]:
        resource["schema"]["fields"] += [dict(extra) for extra in EXTRA_COLUMNS.get(resource["name"], ())]
    descriptor["resources"] += json.loads(json.dumps(EXTENSION_TABLES))
    return descriptor


@dataclass
class Tables:
    """HSDS records by table and id, where each came from, and what was wrong (JSON pointer -> message).

    `incomplete` holds the ids of records with a child that could not be read (an address without
    an id), `unread` the tables of rows that could not be read at all ("*": any table), so that the
    checks after reading blame the real problem, not its consequences.
    """

    rows: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    origins: dict[tuple[str, str], str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    incomplete: set[str] = field(default_factory=set)
    unread: set[str] = field(default_factory=set)

    def add_row(self, table: str, row: Mapping[str, Any], origin: str) -> str | None:
        """Add (or merge into an earlier copy of) one record; return its id, or None when it has none."""
        record_id = row.get("id")
        if record_id is None or record_id == "":
            self.problems[f"{origin}/id"] = "is required"
            self.incomplete |= {str(value) for name, value in row.items() if _names_parent(name, value)}
            return None
        record_id = str(record_id)
        existing = self.rows.setdefault(table, {}).get(record_id)
        if existing is None:
            self.rows[table][record_id] = {**row, "id": record_id}
            self.origins[(table, record_id)] = origin
            return record_id
        for name, value in row.items():
            if name == "id" or value is None:
                continue
            if existing.get(name) is None:
                existing[name] = value
            elif not _same(existing[name], value):
                first = self.origins[(table, record_id)]
                self.problems[f"{origin}/{name}"] = f"differs from the same {table} at {first}"
        return record_id

    def flatten(self, table: str, document: Any, pointer: str) -> str | None:
        """Add one nested HSDS object and everything inside it as rows; return its id."""
        if not isinstance(document, Mapping):
            self.problems[pointer or "/"] = f"must be an HSDS {table} object"
            return None
        nesting = NESTING.get(table, LINKED)
        extension = (TRANSLATIONS_MEMBER, TEXT_LANGUAGE_MEMBER)
        row = {key: value for key, value in document.items() if key not in nesting and key not in extension}
        record_id = self.add_row(table, row, pointer)
        if record_id is None:
            return None
        _add_text_rows(self, table, record_id, document, pointer)
        for key, (child_table, how, column) in nesting.items():
            value = document.get(key)
            if value is None:
                continue
            if how == PARENT:
                child_id = self.flatten(child_table, value, f"{pointer}/{key}")
                if child_id is not None:
                    self.add_row(table, {"id": record_id, column: child_id}, f"{pointer}/{key}")
                continue
            if not isinstance(value, list):
                self.problems[f"{pointer}/{key}"] = "must be a list"
                self.incomplete.add(record_id)
                continue
            for index, child in enumerate(value):
                if isinstance(child, Mapping):
                    given = child.get(column)
                    if given not in (None, "") and not _same_id(given, record_id):
                        # it would be filed under the record it names, not the one it sits in
                        self.problems[f"{pointer}/{key}/{index}/{column}"] = (
                            f"must be this {table}'s id (or left out)"
                        )
                        self.incomplete.add(record_id)
                        continue
                    child = {**child, column: record_id}
                    if how == LINK:
                        entity = "link_entity" if child_table == "attribute" else "resource_type"
                        child.setdefault(entity, table)
                if self.flatten(child_table, child, f"{pointer}/{key}/{index}") is None:
                    self.incomplete.add(record_id)
        return record_id


def _add_text_rows(
    tables: Tables, table: str, record_id: str, document: Mapping[str, Any], pointer: str
) -> None:
    """File a record's `translations` and its own language (`text_language`) as extension rows."""
    translations = document.get(TRANSLATIONS_MEMBER)
    if translations is not None:
        if not isinstance(translations, Mapping) or not all(
            isinstance(texts, Mapping) for texts in translations.values()
        ):
            tables.problems[f"{pointer}/{TRANSLATIONS_MEMBER}"] = "must be {language: {field: text}}"
        else:
            for language, texts in translations.items():
                for name, text in texts.items():
                    row_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"translation:{record_id}:{language}:{name}"))
                    row = {"id": row_id, "record_kind": table, "record_id": record_id}
                    row |= {"field": name, "language": language, "text": text}
                    tables.add_row(
                        TRANSLATION_TABLE, row, f"{pointer}/{TRANSLATIONS_MEMBER}/{language}/{name}"
                    )
    summary = document.get(TEXT_LANGUAGE_MEMBER)
    if table in TEXT_HOLDERS and isinstance(summary, Mapping) and summary.get("original"):
        row = {"id": record_id, "record_kind": table, "language": summary["original"]}
        tables.add_row(TEXT_LANGUAGE_TABLE, row, f"{pointer}/{TEXT_LANGUAGE_MEMBER}")


def _names_parent(column: str, value: Any) -> bool:
    return (column.endswith("_id") or column == "resource_id") and value not in (None, "")


def _same_id(first: Any, second: Any) -> bool:
    """Compare two ids, ignoring the letter case of a UUID."""
    try:
        return uuid.UUID(str(first)) == uuid.UUID(str(second))
    except ValueError:
        return str(first) == str(second)


def _same(first: Any, second: Any) -> bool:
    """Compare two values of one field, ignoring the difference between 12, 12.0 and "12"."""
    if first == second:
        return True
    try:
        return float(first) == float(second)
    except (TypeError, ValueError):
        return str(first) == str(second)


def csv_value(value: Any) -> str:
    """Write one value as CSV text: booleans as true/false, absent as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def from_csv_value(table: str, column: str, text: str) -> Any:
    """Read one CSV cell: empty means absent, and our boolean columns read true/false."""
    if text == "":
        return None
    if (table, column) in BOOLEAN_COLUMNS:
        lowered = text.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
    return text


def table_of_file(path: Path | str) -> str | None:
    """Return the HSDS table a CSV file name holds (`phones.csv` -> `phone`), or None."""
    name = Path(str(path)).name
    return next((table for table, file in table_files().items() if file == name), None)
