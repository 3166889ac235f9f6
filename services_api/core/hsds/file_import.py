"""Import HSDS tables read from a file (JSON, ndjson or a CSV package) as the operator.

The organisations, services and locations keep the ids the file gives them. The file adds and
updates records; it never removes one it does not mention. Imported services become public only
when the operator says they are vetted (`vetted=True`); otherwise new ones wait as `pending` and
the file's vetting fields are ignored. With `vetted=True`, a service whose record states its own
vetting status (a backup of this directory) keeps it; every other one becomes vetted.
References to records that are neither in the file nor in the directory are errors where the
record cannot stand without them (a service's organisation, a place's location, an attribute's
term) and are dropped with a warning where they are optional.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_api.core.hsds.documents import HSDSImportError, import_records
from services_api.core.hsds.tables import Tables
from services_api.core.hsds.text_tables import prepare_texts, take_text_rows
from services_api.core.hsds.withheld import keep_withheld_points
from services_api.core.listings.criteria import mandatory_codes, next_review
from services_api.geo.areas import AreaError, parse_extent
from services_api.models import Base, Service, VettingStatus, utcnow
from services_api.models.base import models_by_table

# How our model nests records: JSON key, child table, the child's column naming the parent.
CHILDREN: dict[str, tuple[tuple[str, str, str], ...]] = {
    "organization": (
        ("phones", "phone", "organization_id"),
        ("contacts", "contact", "organization_id"),
        ("locations", "location", "organization_id"),
        ("services", "service", "organization_id"),
    ),
    "service": (
        ("phones", "phone", "service_id"),
        ("schedules", "schedule", "service_id"),
        ("languages", "language", "service_id"),
        ("contacts", "contact", "service_id"),
        ("service_areas", "service_area", "service_id"),
        ("cost_options", "cost_option", "service_id"),
        ("service_at_locations", "service_at_location", "service_id"),
    ),
    "location": (
        ("addresses", "address", "location_id"),
        ("accessibility", "accessibility", "location_id"),
        ("phones", "phone", "location_id"),
        ("schedules", "schedule", "location_id"),
        ("languages", "language", "location_id"),
        ("contacts", "contact", "location_id"),
    ),
    "service_at_location": (
        ("phones", "phone", "service_at_location_id"),
        ("schedules", "schedule", "service_at_location_id"),
        ("contacts", "contact", "service_at_location_id"),
    ),
    "phone": (("languages", "language", "phone_id"),),
    "contact": (("phones", "phone", "contact_id"),),
}
REQUIRED_REFERENCES = frozenset(
    {
        ("service", "organization_id"),
        ("service_at_location", "service_id"),
        ("service_at_location", "location_id"),
        ("attribute", "taxonomy_term_id"),
    }
)
NOT_KEPT_TABLES = (
    "program",
    "funding",
    "required_document",
    "organization_identifier",
    "metadata",
    "meta_table_description",
)
ATTRIBUTE_HOLDERS = ("service", "location")
OUTPUT_ONLY_FIELDS = frozenset({"last_modified", "stale"})


@dataclass
class FileImportResult:
    """What an import did, and what it left out of the file (by table or field) and why."""

    created: int = 0
    changed: int = 0
    services: int = 0
    left_out_tables: dict[str, int] = field(default_factory=dict)
    left_out_fields: set[tuple[str, str]] = field(default_factory=set)
    warnings: dict[str, str] = field(default_factory=dict)
    held: list[dict[str, str]] = field(default_factory=list)


def import_hsds_tables(
    session: Session,
    tables: Tables,
    *,
    vetted: bool,
    vetted_by: str,
    problems: Mapping[str, str] | None = None,
    default_language: str = "en",
) -> FileImportResult:
    """Prepare every record of `tables` in the session; raise HSDSImportError naming every bad one.

    Every check runs over every record, so one error lists all the problems of the file: those of
    its reading, the `problems` the caller found before, the references and each record's fields.
    Nothing is written here: the caller's flush writes the prepared records in one go (and a dry
    run's rollback drops them), so the write transaction holds no reads.
    """
    found = {**tables.problems}
    for where, message in (problems or {}).items():
        found.setdefault(where, message)
    text_rows = take_text_rows(tables.rows)
    result = FileImportResult()
    models = models_by_table()
    for table in NOT_KEPT_TABLES:
        if tables.rows.get(table):
            result.left_out_tables[table] = len(tables.rows[table])
    result.left_out_fields = _unknown_fields(tables, models)
    _extents_in_words(tables, result.warnings)
    missing = _check_references(session, tables, models, found, result.warnings)
    keep_withheld_points(session, tables)
    documents = _Documents(tables, result.warnings, missing)
    try:
        outcome = import_records(
            session,
            organizations=documents.organizations(session),
            locations=documents.loose_locations(),
            taxonomies=[dict(row) for row in tables.rows.get("taxonomy", {}).values()],
            terms=_parents_first(tables.rows.get("taxonomy_term", {})),
            stand_ins=documents.stand_ins() + documents.orphans(),
            trusted=vetted,
            prune=False,
            origins=tables.origins,
        )
    except HSDSImportError as error:
        for where, message in error.problems.items():
            found.setdefault(where, message)
        raise HSDSImportError(found) from None
    prepare_texts(
        session,
        text_rows=text_rows,
        records=tables.rows,
        origins=tables.origins,
        services=outcome.services,
        default_language=default_language,
        problems=found,
    )
    if found:
        raise HSDSImportError(found)
    documents.warn_unused()
    result.created, result.changed = len(outcome.created), len(outcome.changed)
    services = tables.rows.get("service", {})
    result.services = len(services)
    if vetted:
        unstated = [uuid.UUID(key) for key, row in services.items() if row.get("vetting_status") is None]
        _mark_vetted(
            [outcome.services[key] for key in unstated if key in outcome.services],
            vetted_by,
        )
    return result


def _extents_in_words(tables: Tables, warnings: dict[str, str]) -> None:
    """Keep an extent that claims to be GeoJSON but is not as what HSDS calls a `text` extent."""
    for row_id, row in tables.rows.get("service_area", {}).items():
        try:
            parse_extent(row.get("extent"), row.get("extent_type"))
        except AreaError as error:
            if str(row.get("extent", "")).lstrip().startswith(("{", "[")):
                continue  # meant as GeoJSON but broken: the importer reports it as an error
            where = tables.origins[("service_area", row_id)]
            warnings[f"{where}/extent_type"] = f"{error}; kept as a text extent (extent_type: text)"
            row["extent_type"] = "text"


def _unknown_fields(tables: Tables, models: dict[str, type[Base]]) -> set[tuple[str, str]]:
    unknown = set()
    for table, rows in tables.rows.items():
        model = models.get(table)
        if model is None:
            continue
        columns = set(model.__table__.columns.keys())
        for row in rows.values():
            for name, value in row.items():
                if value is not None and name not in columns and name not in OUTPUT_ONLY_FIELDS:
                    unknown.add((table, name))
    return unknown


def _check_references(
    session: Session,
    tables: Tables,
    models: dict[str, type[Base]],
    problems: dict[str, str],
    warnings: dict[str, str],
) -> set[tuple[str, str]]:
    """Drop optional references to unknown records (with a warning); report required ones.

    Returns the (table, id) of every record referred to that is neither in the file nor stored. A
    reference into a table with rows that could not be read is not reported: the record it names
    may be the unreadable one, whose own problem is reported.
    """
    wanted: dict[str, set[uuid.UUID]] = defaultdict(set)
    references = []
    for table, rows in tables.rows.items():
        model = models.get(table)
        if model is None:
            continue
        for foreign_key in model.__table__.foreign_keys:
            column, target = foreign_key.parent.key, foreign_key.column.table.name
            for row_id, row in rows.items():
                value = row.get(column)
                if value in (None, "") or str(value) in tables.rows.get(target, {}):
                    continue
                try:
                    wanted[target].add(uuid.UUID(str(value)))
                except ValueError:
                    continue  # the importer names the malformed id
                references.append((table, row_id, column, target, str(value)))
    stored = _stored_ids(session, models, wanted)
    for table, column in sorted(REQUIRED_REFERENCES):
        for row_id, row in tables.rows.get(table, {}).items():
            if row.get(column) in (None, ""):
                problems.setdefault(
                    f"{tables.origins[(table, row_id)]}/{column}", f"is required: every {table} names one"
                )
    missing = set()
    for table, row_id, column, target, value in references:
        if uuid.UUID(value) in stored[target]:
            continue
        missing.add((target, value))
        if target in tables.unread or "*" in tables.unread:
            continue
        where = f"{tables.origins[(table, row_id)]}/{column}"
        message = f"names {target} {value}, which is neither in the file nor in the directory"
        if (table, column) in REQUIRED_REFERENCES:
            problems.setdefault(where, message)
        else:
            warnings[where] = f"{message}; the reference was left out"
            tables.rows[table][row_id][column] = None
    return missing


def _stored_ids(
    session: Session, models: dict[str, type[Base]], wanted: dict[str, set[uuid.UUID]]
) -> dict[str, set[uuid.UUID]]:
    stored: dict[str, set[uuid.UUID]] = defaultdict(set)
    for target, ids in wanted.items():
        model: Any = models[target]
        id_list = sorted(ids)
        for start in range(0, len(id_list), 500):
            chunk = id_list[start : start + 500]
            stored[target] |= set(session.scalars(select(model.id).where(model.id.in_(chunk))))
    return stored


class _Documents:
    """Nest the tables' rows the way our importer takes them: organisations holding everything."""

    def __init__(self, tables: Tables, warnings: dict[str, str], missing: set[tuple[str, str]]):
        self.tables = tables
        self.warnings = warnings
        self.missing = missing  # referred to, but neither in the file nor stored: no stand-in
        self.used: set[tuple[str, str]] = set()
        self.children: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for links in CHILDREN.values():
            for _key, child_table, column in links:
                for row in tables.rows.get(child_table, {}).values():
                    if row.get(column) is not None:
                        self.children[(child_table, column, str(row[column]))].append(row)
        self.attributes: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for row in tables.rows.get("attribute", {}).values():
            holder = next(
                (
                    table
                    for table in ATTRIBUTE_HOLDERS
                    if str(row.get("link_id")) in tables.rows.get(table, {})
                ),
                None,
            )
            if holder is None:
                where = tables.origins[("attribute", row["id"])]
                self.warnings[where] = "links to no service or location in the file; left out"
                self.used.add(("attribute", row["id"]))
                continue
            if row.get("link_entity") not in (None, holder):
                where = tables.origins[("attribute", row["id"])]
                self.warnings[f"{where}/link_entity"] = (
                    f"is {row['link_entity']!r} but the attribute is attached to a {holder}; "
                    f"stored as {holder!r}"
                )
            self.attributes[(holder, str(row["link_id"]))].append({**row, "link_entity": holder})

    def build(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        """Return one record with its children nested."""
        self.used.add((table, row["id"]))
        document = dict(row)
        for key, child_table, column in CHILDREN.get(table, ()):
            document[key] = [
                self.build(child_table, child) for child in self.children[(child_table, column, row["id"])]
            ]
        if table in ATTRIBUTE_HOLDERS:
            document["attributes"] = self.attributes[(table, row["id"])]
            self.used |= {("attribute", attribute["id"]) for attribute in document["attributes"]}
        return document

    def organizations(self, session: Session) -> list[dict[str, Any]]:
        """Return the file's organisations, and stand-ins for stored ones its records belong to."""
        rows = self.tables.rows.get("organization", {})
        documents = [self.build("organization", row) for row in rows.values()]
        stored_parents = {
            str(row["organization_id"])
            for table in ("service", "location")
            for row in self.tables.rows.get(table, {}).values()
            if row.get("organization_id") is not None and str(row["organization_id"]) not in rows
        }
        stored_parents -= {record_id for table, record_id in self.missing if table == "organization"}
        for organization_id in sorted(stored_parents):
            stand_in = {"id": organization_id}
            documents.append(self.build("organization", stand_in))
        return documents

    def stand_ins(self) -> list[tuple[str, dict[str, Any]]]:
        """Return stand-ins of stored records that records of the file belong to (a stored service's)."""
        stand_ins = []
        for table in ("service", "location", "service_at_location", "contact", "phone"):
            in_file = self.tables.rows.get(table, {})
            parent_ids = {
                str(row[column])
                for _key, child_table, column in CHILDREN[table]
                for row in self.tables.rows.get(child_table, {}).values()
                if row.get(column) is not None and str(row[column]) not in in_file
            }
            parent_ids -= {record_id for missing_table, record_id in self.missing if missing_table == table}
            stand_ins += [(table, self.build(table, {"id": parent_id})) for parent_id in sorted(parent_ids)]
        return stand_ins

    def orphans(self) -> list[tuple[str, dict[str, Any]]]:
        """Return the services and links whose required parent is missing, so their fields are checked too.

        Such a record is already a problem (its reference is reported), so it is never written.
        """
        return [
            (table, self.build(table, row))
            for table in ("service", "service_at_location")
            for row in self.tables.rows.get(table, {}).values()
            if (table, row["id"]) not in self.used
        ]

    def loose_locations(self) -> list[dict[str, Any]]:
        """Return the locations that belong to no organisation."""
        return [
            self.build("location", row)
            for row in self.tables.rows.get("location", {}).values()
            if row.get("organization_id") is None
        ]

    def warn_unused(self) -> None:
        """Warn about records of kept tables that no imported record holds."""
        for table in ("phone", "contact", "schedule", "language", "address", "accessibility", "attribute"):
            for row_id in self.tables.rows.get(table, {}):
                if (table, row_id) not in self.used:
                    where = self.tables.origins[(table, row_id)]
                    self.warnings[where] = f"this {table} belongs to no record in the file; left out"


def _parents_first(terms: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    ordered: list[dict[str, Any]] = []
    placed: set[str] = set()

    def place(term_id: str, trail: frozenset[str]) -> None:
        if term_id in placed or term_id in trail or term_id not in terms:
            return
        parent = terms[term_id].get("parent_id")
        if parent is not None:
            place(str(parent), trail | {term_id})
        placed.add(term_id)
        ordered.append(dict(terms[term_id]))

    for term_id in terms:
        place(term_id, frozenset())
    return ordered


def _mark_vetted(services: Iterable[Service], vetted_by: str) -> None:
    """Make the imported services public: vetted now, confirmed now unless the file says when."""
    now = utcnow()
    for service in services:
        service.vetting_status = VettingStatus.VETTED.value
        service.vetted_at = now
        service.vetted_by = vetted_by
        service.next_review_due = next_review(vetted_on=now.date(), criteria=sorted(mandatory_codes()))
        if service.last_verified_at is None:
            service.last_verified_at = now
