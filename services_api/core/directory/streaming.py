"""Walk every row of an ordered listing query in batches, keeping memory flat (keyset pagination)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import Session

BATCH_SIZE = 500


def iter_batches(
    session: Session,
    query: Select[Any],
    *,
    columns: tuple[Any, ...],
    key: Callable[[Any], tuple[Any, ...]],
    batch_size: int | None = None,
) -> Iterator[Sequence[Any]]:
    """Yield the query's rows batch by batch, resuming after the last row's sort key.

    `query` must be ordered by `columns` (a sort value then a unique id, or just a unique id);
    `key` reads them from a row. Each batch is dropped from the session before the next is loaded,
    so however many rows match, only one batch is ever held, and the session stays usable for other
    queries meanwhile.
    """
    size = batch_size or BATCH_SIZE
    last: tuple[Any, ...] | None = None
    while True:
        page = query
        if last is not None:
            page = page.where(_after(columns, last))
        batch = session.scalars(page.limit(size)).unique().all()
        if not batch:
            return
        last = key(batch[-1])
        yield batch
        session.expunge_all()
        if len(batch) < size:
            return


def _after(columns: tuple[Any, ...], last: tuple[Any, ...]) -> Any:
    if len(columns) == 1:
        return columns[0] > last[0]
    first, second = columns
    return or_(first > last[0], and_(first == last[0], second > last[1]))


def iter_in_order(
    session: Session,
    ids: Sequence[Any],
    *,
    load: Callable[[Sequence[Any]], Sequence[Any]],
    id_of: Callable[[Any], Any],
    batch_size: int | None = None,
) -> Iterator[Sequence[Any]]:
    """Yield the records of `ids` batch by batch, in the order of `ids`.

    For an order no keyset can resume (relevance to keywords): the ids are ranked once, then each
    batch is loaded by id with `load`, so the ranking never runs again per batch.
    """
    size = batch_size or BATCH_SIZE
    for start in range(0, len(ids), size):
        wanted = ids[start : start + size]
        position = {record_id: index for index, record_id in enumerate(wanted)}
        batch = sorted(load(wanted), key=lambda record: position[id_of(record)])
        yield batch
        session.expunge_all()
