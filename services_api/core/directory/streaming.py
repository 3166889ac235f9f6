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
