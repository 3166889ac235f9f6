"""The published vetting criteria an operator attests, and when a vetted listing is due for review."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from services_api.core.seeding.demo import load_json


@functools.cache
def vetting_criteria() -> tuple[dict[str, Any], ...]:
    """Return the published vetting criteria (seed_data/vetting_criteria.json), each with a `code`."""
    return tuple(load_json("vetting_criteria.json"))


def mandatory_codes() -> set[str]:
    """Return the codes an approval must attest."""
    return {item["code"] for item in vetting_criteria() if item.get("mandatory")}


def next_review(*, vetted_on: date, criteria: Sequence[str]) -> date | None:
    """Return when a listing vetted on `vetted_on` is due for review: its criteria's shortest interval."""
    intervals = [
        int(item["review_interval_days"])
        for item in vetting_criteria()
        if item["code"] in criteria and item.get("review_interval_days")
    ]
    return vetted_on + timedelta(days=min(intervals)) if intervals else None
