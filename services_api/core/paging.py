"""A page of any list, shared by reads, search, the admin lists and the audit log."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with what a client needs to page through the rest."""

    items: Sequence[T]
    total_items: int
    page_number: int
    per_page: int

    def with_items(self, items: Sequence[U]) -> Page[U]:
        """Return the same page holding other items (e.g. the records behind search results)."""
        return Page(
            items=items, total_items=self.total_items, page_number=self.page_number, per_page=self.per_page
        )

    @property
    def total_pages(self) -> int:
        """Return how many pages the whole list fills."""
        return math.ceil(self.total_items / self.per_page)
