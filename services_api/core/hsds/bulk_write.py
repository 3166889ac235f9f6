"""Writing a bulk import's prepared records in one short burst.

The ORM's flush spends most of its time in Python (working out the order, the foreign keys, each
object's history), and on SQLite all of that would be spent holding the one write lock. So the
new records of an import are turned into plain rows first, with their foreign keys, derived
columns (the mappers' before-insert hooks) and defaults filled in, and are then written with one
executemany INSERT per table; only the changed records that were already stored (usually few) go
through the ORM's flush.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Table, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.interfaces import MANYTOONE, ONETOMANY

from services_api.models import Base

# Attributes before places: on SQLite a new place then reads its service's terms once, instead of
# every new attribute refreshing the places already indexed.
EARLY_TABLES = ("attribute",)


def write_prepared(session: Session) -> None:
    """Write the session's new and changed records: new ones as bulk INSERTs, changes by one flush."""
    new = [record for record in session.new if inspect(record).identity is None and _has_key(record)]
    for record in [*new, *session.dirty]:
        _sync_foreign_keys(record)
    rows: dict[Table, list[dict[str, Any]]] = defaultdict(list)
    connection = session.connection()
    for record in new:
        mapper = inspect(record).mapper
        mapper.dispatch.before_insert(mapper, connection, inspect(record))
        rows[mapper.local_table].append(_row(record, mapper))
    _settle_collections(session, new)
    _mark_persistent(session, new)
    dialect = session.get_bind().dialect
    statements = [
        _driver_statement(table, _in_key_order(table, rows[table]), dialect) for table in _insert_order(rows)
    ]
    for sql, parameters in statements:
        connection.exec_driver_sql(sql, parameters)
    session.flush()


def _driver_statement(table: Table, rows: list[dict[str, Any]], dialect: Any) -> tuple[str, list[Any]]:
    """Return a table's INSERT as the driver takes it, its parameters already converted.

    Converting the values (UUIDs, times, JSON) is Python work; done here, before the first write,
    the write transaction runs only the driver's executemany.
    """
    compiled = table.insert().compile(dialect=dialect, column_keys=[column.key for column in table.columns])
    processors = {
        column.key: column.type.dialect_impl(dialect).bind_processor(dialect) for column in table.columns
    }

    def converted(row: dict[str, Any]) -> dict[str, Any]:
        return {
            name: processor(value) if (processor := processors[name]) and value is not None else value
            for name, value in row.items()
        }

    parameters = [converted(row) for row in rows]
    if compiled.positional:
        names = compiled.positiontup or []
        return compiled.string, [tuple(row[name] for name in names) for row in parameters]
    return compiled.string, parameters


def _has_key(record: Any) -> bool:
    mapper = inspect(record).mapper
    loaded = inspect(record).dict
    return all(mapper.get_property_by_column(column).key in loaded for column in mapper.primary_key)


def _sync_foreign_keys(record: Any) -> None:
    """Copy parents' ids into foreign-key columns, as the flush would from the relationships."""
    state = inspect(record)
    for relationship in state.mapper.relationships:
        if relationship.key not in state.dict or relationship.viewonly:
            continue
        value = state.dict[relationship.key]
        if relationship.direction is ONETOMANY:
            for child in value or ():
                for local, remote in relationship.local_remote_pairs or ():
                    _set(child, remote.key, getattr(record, local.key))
        elif relationship.direction is MANYTOONE and value is not None:
            for local, remote in relationship.local_remote_pairs or ():
                _set(record, local.key, getattr(value, remote.key))


def _set(record: Any, name: str, value: Any) -> None:
    if getattr(record, name) != value:
        setattr(record, name, value)


def _row(record: Any, mapper: Any) -> dict[str, Any]:
    """Return the record's INSERT parameters: every column, the unset ones at their defaults."""
    row = {}
    loaded = inspect(record).dict
    for column in mapper.local_table.columns:
        name = mapper.get_property_by_column(column).key
        if name not in loaded:
            default = column.default
            value = None
            if default is not None and default.is_callable:
                value = default.arg(None)
            elif default is not None and default.is_scalar:
                value = default.arg
            setattr(record, name, value)
        row[column.key] = getattr(record, name)
    return row


def _settle_collections(session: Session, new: list[Any]) -> None:
    """Mark stored records' collections that only gained new records as unchanged.

    The INSERTs below store those records with their parents' ids; left as changes, the collections
    would have the flush walk every new record again, inside the write transaction.
    """
    inserted = {id(record) for record in new}
    for record in list(session.dirty):
        state = inspect(record)
        for relationship in state.mapper.relationships:
            if not relationship.uselist or relationship.key not in state.dict:
                continue
            history = state.attrs[relationship.key].history
            if (
                history.added
                and not history.deleted
                and all(id(child) in inserted for child in history.added)
            ):
                set_committed_value(record, relationship.key, list(state.dict[relationship.key]))


def _mark_persistent(session: Session, records: list[Any]) -> None:
    """Tell the session the new records are stored, as its own flush does after its INSERTs.

    Done before the INSERTs below so that the write transaction holds none of this work; if they
    fail, the caller's rollback turns the records back into new ones, as after a failed flush.
    There is no public way to do this without walking every record's relationships again.
    """
    session._register_persistent({inspect(record) for record in records})


def _in_key_order(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sort rows by primary key (the primary key index is then written in order).

    A table that refers to itself keeps the order given: parents before their children.
    """
    if any(key.column.table is table for key in table.foreign_keys) or len(table.primary_key.columns) != 1:
        return rows
    (column,) = table.primary_key.columns
    return sorted(rows, key=lambda row: str(row[column.key]))


def _insert_order(rows: dict[Table, list[dict[str, Any]]]) -> list[Table]:
    """Return the tables parents first, the early ones as early as their own parents allow."""
    order = list(Base.metadata.sorted_tables)
    places = Base.metadata.tables["service_at_location"]
    for name in EARLY_TABLES:
        table = Base.metadata.tables[name]
        order.remove(table)
        after_parents = max(order.index(key.column.table) + 1 for key in table.foreign_keys)
        order.insert(max(after_parents, min(order.index(places), len(order))), table)
    return [table for table in order if table in rows]
