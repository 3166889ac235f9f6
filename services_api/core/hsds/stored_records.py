"""The stored records a bulk import names, loaded before it writes, in a few IN-queries.

An import reads a lot (is this record stored? whose is it? what children does it hold?) and then
writes. On SQLite a write transaction holds the one write lock from its first write to its commit,
so every read left for the writing phase makes every other writer wait. This loads, up front, each
record the file names by id or by reference, their parents up to the organisation, and their
collections; lookups then come from memory, and writing needs no read of a stored record.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, selectinload

from services_api.models.base import models_by_table

if TYPE_CHECKING:
    from services_api.core.hsds.tables import Tables

SESSION_KEY = "stored_records"
CHUNK = 500
PARENT_ROUNDS = 5  # a phone of a contact of a service-at-location of a service of an organisation


class StoredRecords:
    """Records by model and id as stored before the import (None: not stored), held in memory."""

    def __init__(self) -> None:
        self.records: dict[tuple[type[Any], uuid.UUID], Any] = {}

    def knows(self, model: type[Any], record_id: uuid.UUID) -> bool:
        """True when this id of this model was looked up (found or not)."""
        return (model, record_id) in self.records

    def load(self, session: Session, model: type[Any], ids: set[uuid.UUID]) -> list[Any]:
        """Load the records of `model` with these ids (and their collections); return those found."""
        wanted = sorted(record_id for record_id in ids if not self.knows(model, record_id))
        collections = [
            selectinload(getattr(model, relationship.key))
            for relationship in inspect(model).relationships
            if relationship.uselist
        ]
        found: list[Any] = []
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            query = select(model).where(model.id.in_(chunk)).options(*collections)
            found += session.scalars(query).unique().all()
        for record_id in wanted:
            self.records[(model, record_id)] = None
        for record in found:
            self.records[(model, record.id)] = record
        return found


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def load_stored_records(session: Session, tables: Tables) -> StoredRecords:
    """Load every stored record the tables name (by id or reference), and their parents."""
    models = models_by_table()
    wanted: dict[type[Any], set[uuid.UUID]] = defaultdict(set)
    for table, rows in tables.rows.items():
        model = models.get(table)
        if model is None:
            continue
        references = [(key.parent.key, models[key.column.table.name]) for key in model.__table__.foreign_keys]
        for record_id, row in rows.items():
            if (found := _uuid(record_id)) is not None:
                wanted[model].add(found)
            for column, target in references:
                if row.get(column) not in (None, "") and (found := _uuid(row[column])) is not None:
                    wanted[target].add(found)
            if table == "attribute" and (link := _uuid(row.get("link_id"))) is not None:
                wanted[models["service"]].add(link)
                wanted[models["location"]].add(link)
    stored = StoredRecords()
    for _round in range(PARENT_ROUNDS):
        loaded = [record for model, ids in wanted.items() for record in stored.load(session, model, ids)]
        wanted = defaultdict(set)
        for record in loaded:
            for key in type(record).__table__.foreign_keys:
                value = getattr(record, key.parent.key, None)
                target = models[key.column.table.name]
                if value is not None and not stored.knows(target, value):
                    wanted[target].add(value)
            if getattr(record, "link_id", None) is not None:
                for target in (models["service"], models["location"]):
                    if not stored.knows(target, record.link_id):
                        wanted[target].add(record.link_id)
        if not wanted:
            break
    return stored


@contextmanager
def records_loaded(session: Session, tables: Tables) -> Iterator[StoredRecords]:
    """Within this block, `stored_record` answers from the records the tables name, loaded now."""
    stored = load_stored_records(session, tables)
    session.info[SESSION_KEY] = stored
    try:
        yield stored
    finally:
        session.info.pop(SESSION_KEY, None)


def stored_record(session: Session, *, model: type[Any], record_id: uuid.UUID) -> Any:
    """Return the stored record of `model` with this id, or None: from memory when it was loaded."""
    stored: StoredRecords | None = session.info.get(SESSION_KEY)
    if stored is not None and stored.knows(model, record_id):
        return stored.records[(model, record_id)]
    return session.get(model, record_id)
