"""Bulk imports by a partner: only into its own organisation, never over anyone else's records.

Runs over the tables read from the file, before anything is written: it claims the organisation's
records for the partner, names every record that is not the partner's to write, refuses vetting
fields, holds the safety claims it makes on records the public sees for the operator (as PATCH
does, see import_holds), and places addresses without coordinates through the configured geocoder
(never a guess).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from services_api.core.actors import Actor
from services_api.core.errors import ConflictError
from services_api.core.geocoding.placement import PRECISION, UNPLACED, import_warning, place_row
from services_api.core.hsds.bulk_write import write_prepared
from services_api.core.hsds.documents import (
    OPERATOR_ONLY,
    SET_BY_SERVER_RULE,
    HSDSImportError,
    server_set_given,
)
from services_api.core.hsds.file_import import FileImportResult, import_hsds_tables
from services_api.core.hsds.import_holds import HeldClaims, hold_imported_claims, propose_imported_claims
from services_api.core.hsds.stored_records import records_loaded, stored_record
from services_api.core.hsds.tables import Tables
from services_api.core.limits import reported_problems, too_many_rows
from services_api.core.listings.audit import record_event
from services_api.core.listings.ownership import (
    ATTRIBUTE_HOLDERS,
    PARENT_MODELS,
    PARENT_TABLES,
    owning_organization,
    parent_columns,
    record_of_table,
)
from services_api.models import Location
from services_api.models.base import models_by_table

OPERATOR_TABLES = ("taxonomy", "taxonomy_term")
# A file's id names the record to update or the id a new record takes, so a stored record that is
# not the partner's is refused; the words say nothing of whose it is or what it is.
NOT_YOURS = "is not the id of one of your records; give a new record an id of its own"


class ImportConflictError(ConflictError):
    """Another writer changed records of the import between its preparation and its writes."""


def scope_to_partner(
    session: Session,
    *,
    tables: Tables,
    partner_id: uuid.UUID,
    geocode: Callable[..., Any] | Any,
    warnings: dict[str, str],
) -> dict[str, str]:
    """Make the tables the partner's own import; return the problems by where they are in the file.

    Locations placed only approximately from their addresses are named in `warnings`.
    """
    problems: dict[str, str] = {}
    models = models_by_table()
    partner = str(partner_id)

    def where(table: str, record_id: str, name: str) -> str:
        return f"{tables.origins.get((table, record_id), table)}/{name}"

    for table in OPERATOR_TABLES:
        for record_id in tables.rows.get(table, {}):
            problems[where(table, record_id, "id")] = f"only the operator imports {table} records"
    for record_id in tables.rows.get("organization", {}):
        if record_id != partner:
            problems[where("organization", record_id, "id")] = (
                "a partner imports only into its own organisation"
            )
    for table in ("service", "location"):
        for record_id, row in tables.rows.get(table, {}).items():
            given = row.get("organization_id")
            if given in (None, ""):
                row["organization_id"] = partner
            elif str(given) != partner:
                problems[where(table, record_id, "organization_id")] = "must be your own organisation"
    for record_id, row in tables.rows.get("service", {}).items():
        for name in sorted(OPERATOR_ONLY & {key for key, value in row.items() if value not in (None, "")}):
            problems[where("service", record_id, name)] = "is set only by the operator"
    for table, rows in tables.rows.items():
        model = models.get(table)
        if model is None or table in OPERATOR_TABLES:
            continue
        for record_id, row in rows.items():
            for name in server_set_given(row):
                problems[where(table, record_id, name)] = SET_BY_SERVER_RULE
            try:
                stored = stored_record(session, model=model, record_id=uuid.UUID(record_id))
            except ValueError:
                continue
            if stored is not None and owning_organization(session, record=stored) != partner_id:
                problems.setdefault(where(table, record_id, "id"), NOT_YOURS)
    problems.update(_foreign_parents(session, tables, partner_id))
    problems.update(_place_locations(session, tables, geocode, warnings=warnings))
    return problems


def _foreign_parents(session: Session, tables: Tables, partner_id: uuid.UUID) -> dict[str, str]:
    """Name every parent id of a row that is neither a record of the file nor a stored one of the partner's.

    Records of the file are checked on their own rows; the message is the same whether a stored
    record does not exist or belongs to someone else, so that no one learns other partners' ids.
    """
    problems = {}
    models = models_by_table()
    for table, rows in tables.rows.items():
        model = models.get(table)
        if model is None or table in OPERATOR_TABLES:
            continue
        for record_id, row in rows.items():
            for column in parent_columns(model):
                value = row.get(column)
                if value is None or value == "":
                    continue
                targets = _parent_tables(column, row)
                if any(str(value) in tables.rows.get(target, {}) for target in targets):
                    continue
                if any(
                    owning_organization(session, record=record_of_table(session, table=target, value=value))
                    == partner_id
                    for target in targets
                ):
                    continue
                origin = tables.origins.get((table, record_id), table)
                kind = " or ".join(targets)
                problems[f"{origin}/{column}"] = (
                    f"names no {kind} of yours: give the id of a {kind} in this file "
                    "or of one of your organisation's"
                )
    return problems


def _parent_tables(column: str, row: dict[str, Any]) -> tuple[str, ...]:
    if column != "link_id":
        return (PARENT_TABLES[column],)
    entity = row.get("link_entity")
    return (entity,) if entity in PARENT_MODELS else ATTRIBUTE_HOLDERS


def _place_locations(
    session: Session, tables: Tables, geocode: Any, *, warnings: dict[str, str]
) -> dict[str, str]:
    """Give physical locations without coordinates a point from their addresses, or name them.

    A partner never sets a point's precision itself: a point the file gives is exact (the import
    keeps the stored precision of a point it gives unchanged). A location with an address that
    could not be read is not placed: the unreadable address is the problem reported.
    """
    problems = {}
    addresses: dict[str, list[dict[str, Any]]] = {}
    for row in tables.rows.get("address", {}).values():
        addresses.setdefault(str(row.get("location_id")), []).append(row)
    for record_id, row in tables.rows.get("location", {}).items():
        row.pop(PRECISION, None)
        if (row.get("location_type") or "physical") != "physical":
            continue
        if row.get("latitude") not in (None, "") and row.get("longitude") not in (None, ""):
            continue
        stored = _stored(session, Location, record_id)
        if stored is not None and stored.latitude is not None and "latitude" not in row:
            continue
        if record_id in tables.incomplete or "address" in tables.unread:
            continue
        origin = tables.origins.get(("location", record_id), "location")
        placement = place_row(row, addresses=addresses.get(record_id, []), geocoder=geocode)
        if placement is None:
            problems[f"{origin}/latitude"] = UNPLACED
        elif (warning := import_warning(placement)) is not None:
            warnings[f"{origin}/latitude"] = warning
    return problems


def _problems_found(problems: dict[str, str]) -> HSDSImportError:
    """Return the error naming the problems, at most MAX_REPORTED_PROBLEMS of them, in file order."""
    return HSDSImportError(reported_problems(problems), total=len(problems))


def _stored(session: Session, model: type[Any], record_id: str) -> Any:
    try:
        return stored_record(session, model=model, record_id=uuid.UUID(record_id))
    except ValueError:
        return None


def import_as(
    session: Session,
    *,
    actor: Actor,
    tables: Tables,
    locator: Any,
    vetted: bool,
    vetted_by: str,
    source: str,
    dry_run: bool = False,
    default_language: str = "en",
) -> FileImportResult:
    """Import tables as this actor (a partner only into its own organisation), as one audit event.

    Everything is read, checked, geocoded and built first; only then are the records written, in
    one flush, so the write transaction (SQLite's one write lock) lasts for the writes alone. A dry
    run writes nothing at all. Every record is checked before any error is raised, so the
    HSDSImportError names every problem of the file at once (the first MAX_REPORTED_PROBLEMS, in
    the order of the file; nothing is flushed then). Raises ImportConflictError when another writer
    changed the same records meanwhile.
    """
    if too_many_rows(tables.rows, tables.origins):  # over a cap: stop before any per-record work
        raise _problems_found(tables.problems)
    problems: dict[str, str] = {}
    warnings: dict[str, str] = {}
    held: list[HeldClaims] = []
    with records_loaded(session, tables):
        if actor.partner_id is not None:
            problems = scope_to_partner(
                session, tables=tables, partner_id=actor.partner_id, geocode=locator, warnings=warnings
            )
            held, held_problems = hold_imported_claims(session, tables=tables, partner_id=actor.partner_id)
            problems.update(held_problems)
        try:
            result = import_hsds_tables(
                session,
                tables,
                vetted=vetted,
                vetted_by=vetted_by,
                problems=problems,
                default_language=default_language,
            )
        except HSDSImportError as error:
            raise _problems_found(error.problems) from None
        changes = propose_imported_claims(session, actor=actor, held=held)
    result.warnings = {**warnings, **result.warnings}
    result.held = [{"entity_type": change.entity_type, "id": str(change.entity_id)} for change in changes]
    counts = {"created": result.created, "changed": result.changed}
    entity_type = "organization" if actor.partner_id else "directory"
    record_event(
        session,
        actor=actor,
        action="import",
        entity_type=entity_type,
        entity_id=actor.partner_id or source,
        changes={"records": {"before": None, "after": counts}},
    )
    if not dry_run:
        try:
            write_prepared(session)
        except (IntegrityError, StaleDataError) as error:
            raise ImportConflictError(
                "Nothing imported: the import conflicts with what is stored (a duplicate record, or "
                "records another writer changed while it was being prepared)."
            ) from error
    return result
