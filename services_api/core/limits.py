"""How much one request or import may ask of the server: every cap in one place, with its check.

Each cap bounds the work a single client can cause (a query's SQL, a body's parse, an archive's
expansion, a listing's nested records), so that no request stalls or crashes a worker. The README's
"Limits" section lists them with the error each one gives.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import accumulate
from typing import Any

from services_api.core.listings.ownership import PARENT_TABLES

# Query parameters: every code and word becomes a condition in the search's SQL.
MAX_CODES_PER_FILTER = 20
MAX_SEARCH_WORDS = 10
MAX_SEARCH_WORD_LENGTH = 50

# JSON bodies and files: the deepest legitimate document (the official HSDS organization_full
# example, an organisation with full services) is 12 levels deep.
MAX_JSON_DEPTH = 32

# CSV packages: a cell may hold a whole GeoJSON service-area extent, far beyond csv's default of
# 131,072 characters, but never more than this.
MAX_CSV_FIELD_CHARS = 4 * 1024 * 1024

# Zip archives (CSV data packages): the official package has 26 tables and datapackage.json.
MAX_ZIP_MEMBERS = 100
MAX_UNZIPPED_REQUEST_BYTES = 64 * 1024 * 1024  # POST /admin/import
MAX_UNZIPPED_FILE_BYTES = 512 * 1024 * 1024  # flask import FILE (the operator's command line)

# Nested records per parent record (a service's phones, a location's addresses...), in admin
# documents and imports alike: each becomes rows written under the write lock.
MAX_ITEMS: dict[str, int] = {
    "phones": 50,
    "schedules": 100,
    "languages": 100,
    "contacts": 50,
    "attributes": 100,
    "service_areas": 100,
    "cost_options": 50,
    "addresses": 10,
    "accessibility": 50,
    "service_at_locations": 500,
}
TABLE_KEYS = {
    "phone": "phones",
    "schedule": "schedules",
    "language": "languages",
    "contact": "contacts",
    "attribute": "attributes",
    "service_area": "service_areas",
    "cost_option": "cost_options",
    "address": "addresses",
    "accessibility": "accessibility",
    "service_at_location": "service_at_locations",
}
# Problems listed in one import's answer (the rest are counted): the answer stays small whatever
# the file, and a partner fixes the first ones before the others matter.
MAX_REPORTED_PROBLEMS = 1000

# Every column that names a row's parent record, in any table.
PARENT_COLUMNS = (*PARENT_TABLES, "link_id")

_OUTSIDE_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_SQUARE = bytes.maketrans(b"{}", b"[]")
_STEP = [1 if byte == ord("[") else -1 if byte == ord("]") else 0 for byte in range(256)]


def search_words(text: str) -> list[str]:
    """Return the distinct words of an already folded keyword search, in order, at most MAX_SEARCH_WORDS.

    The search parameter is refused past that many words as typed; folding can split a word
    (NFKD turns some signs into a space and a mark), so the cost is also capped here.
    """
    return list(dict.fromkeys(text.split()))[:MAX_SEARCH_WORDS]


def distinct(codes: Iterable[str]) -> list[str]:
    """Return the codes without repeats, in the order first given."""
    return list(dict.fromkeys(codes))


def json_too_deep(data: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Return whether a JSON text nests arrays and objects more than `limit` levels deep.

    Runs on the raw text before any parser recurses into it, in C-speed bytes and iterator
    operations: brackets inside strings are set aside, then the running depth is summed.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    # Escaped backslashes first, so that `"a\\"` still closes its string; then escaped quotes.
    raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = b"".join(raw.split(b'"')[::2]).translate(_SQUARE, _OUTSIDE_BRACKETS)
    if b"[" * (limit + 1) in brackets:
        return True
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > limit


def too_many_items(document: Any, pointer: str = "") -> dict[str, str]:
    """Name every nested list of an admin document longer than its cap, by JSON pointer."""
    problems: dict[str, str] = {}
    if isinstance(document, Mapping):
        for key, value in document.items():
            where = f"{pointer}/{key}"
            cap = MAX_ITEMS.get(str(key))
            if cap is not None and isinstance(value, list) and len(value) > cap:
                problems[where] = f"has {len(value):,} items; at most {cap} are allowed"
                continue
            problems.update(too_many_items(value, where))
    elif isinstance(document, list):
        for index, item in enumerate(document):
            problems.update(too_many_items(item, f"{pointer}/{index}"))
    return problems


def too_many_rows(
    rows: Mapping[str, Mapping[str, Mapping[str, Any]]], origins: Mapping[tuple[str, str], str]
) -> dict[str, str]:
    """Name the first record over the cap of each parent in imported tables, by where it is in the file."""
    problems: dict[str, str] = {}
    for table, key in TABLE_KEYS.items():
        cap = MAX_ITEMS[key]
        table_rows = rows.get(table, {})
        if len(table_rows) <= cap:
            continue
        for column in PARENT_COLUMNS:
            counts: Counter[str] = Counter()
            for record_id, row in table_rows.items():
                parent = row.get(column)
                if parent in (None, ""):
                    continue
                counts[str(parent)] += 1
                if counts[str(parent)] == cap + 1:
                    where = f"{origins.get((table, record_id), table)}/{column}"
                    problems[where] = (
                        f"{column} {parent} has more than {cap} {key}; at most {cap} are allowed"
                    )
    return problems


def reported_problems(problems: Mapping[str, str], limit: int = MAX_REPORTED_PROBLEMS) -> dict[str, str]:
    """Return the first `limit` problems in the order of the file (JSON pointer, ndjson line, CSV row)."""
    return dict(sorted(problems.items(), key=lambda item: _file_order(item[0]))[:limit])


def _file_order(where: str) -> tuple[tuple[int, str | int], ...]:
    """Sort key of a place in a file: its numbers compared as numbers (`/2/...` before `/10/...`)."""
    return tuple(
        (1, int(part)) if part.isdigit() else (0, part) for part in re.split(r"(\d+)", where) if part
    )
