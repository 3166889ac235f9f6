"""Read HSDS 3.0 data in any of its shapes into one set of tables.

Accepted: JSON (one object, an array, an HSDS page envelope, or the tabular JSON of the official
examples), newline-delimited JSON, and a tabular data package (a folder or zip of CSV files).
Every record remembers where it came from: a JSON pointer (`/0/services/1`, `line 3/phones/0`) or a
CSV file and row (`services.csv:4`, the header being row 1).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from services_api.core.errors import InvalidError, TooLargeError
from services_api.core.hsds.tables import Tables, from_csv_value, table_of_file
from services_api.core.limits import (
    MAX_CSV_FIELD_CHARS,
    MAX_JSON_DEPTH,
    MAX_UNZIPPED_FILE_BYTES,
    MAX_UNZIPPED_REQUEST_BYTES,
    MAX_ZIP_MEMBERS,
    json_too_deep,
    too_many_rows,
)

MAX_FILE_BYTES = 512 * 1024 * 1024
READ_CHUNK_BYTES = 1024 * 1024
# The csv module's limit is one setting for the whole process; only these readers use it.
csv.field_size_limit(MAX_CSV_FIELD_CHARS)
API_META_KEYS = frozenset({"version", "profile", "openapi_url"})
PAGE_KEYS = frozenset({"total_items", "contents"})
COLLECTIONS = {
    "organizations": "organization",
    "services": "service",
    "locations": "location",
    "service_at_locations": "service_at_location",
    "taxonomies": "taxonomy",
    "taxonomy_terms": "taxonomy_term",
    "terms": "taxonomy_term",
    "taxonomy": "taxonomy",
}
ORGANIZATION_KEYS = frozenset(
    {
        "website",
        "tax_status",
        "tax_id",
        "year_incorporated",
        "legal_status",
        "logo",
        "parent_organization_id",
        "services",
        "locations",
        "funding",
        "organization_identifiers",
        "programs",
    }
)
TERM_KEYS = frozenset(
    {"code", "parent_id", "taxonomy", "taxonomy_id", "taxonomy_detail", "term_uri", "language"}
)
TAXONOMY_KEYS = frozenset({"id", "name", "description", "uri", "version"})


class HSDSFileError(InvalidError):
    """The file cannot be read as HSDS at all (not JSON, not a CSV package...); `detail` says why."""

    lead = "The body is not HSDS data"

    def __init__(self, detail: str):
        super().__init__(f"{self.lead}: {detail}", problems={"/": [detail]})
        self.detail = detail

    def __str__(self) -> str:
        return self.detail


class ArchiveTooLargeError(TooLargeError, HSDSFileError):
    """A zip holds more files, or expands to more bytes, than an import may read."""

    lead = "The zip is too large to import"


def read_hsds(path: Path) -> Tables:
    """Read an HSDS JSON, ndjson or CSV package file (or folder) into tables."""
    if path.is_dir():
        return read_csv_package(_folder_members(path))
    if not path.is_file():
        raise HSDSFileError(f"{path}: no such file or folder")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise HSDSFileError(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if path.suffix.lower() == ".csv":
        raise HSDSFileError("one CSV file is not a package: give the folder or zip holding the CSV files")
    return read_hsds_bytes(path.read_bytes(), max_unzipped_bytes=MAX_UNZIPPED_FILE_BYTES)


def read_hsds_bytes(data: bytes, *, max_unzipped_bytes: int = MAX_UNZIPPED_REQUEST_BYTES) -> Tables:
    """Read HSDS data given as bytes: a zip of CSV files (expanding to at most the cap), or JSON / ndjson."""
    if zipfile.is_zipfile(io.BytesIO(data)):
        return read_csv_package(_zip_members(data, max_unzipped_bytes))
    return read_json(data)


def _folder_members(path: Path) -> dict[str, bytes]:
    """Read the CSV files of a folder, refusing a folder larger than a zip may expand to."""
    files = sorted(item for item in path.iterdir() if item.is_file() and item.name.endswith(".csv"))
    if len(files) > MAX_ZIP_MEMBERS:
        raise ArchiveTooLargeError(f"{path}: holds {len(files)} CSV files; at most {MAX_ZIP_MEMBERS}")
    total = sum(item.stat().st_size for item in files)
    if total > MAX_UNZIPPED_FILE_BYTES:
        raise ArchiveTooLargeError(
            f"{path}: its CSV files hold {total:,} bytes; {_at_most(MAX_UNZIPPED_FILE_BYTES)}"
        )
    return {item.name: item.read_bytes() for item in files}


def _zip_members(data: bytes, max_bytes: int) -> dict[str, bytes]:
    """Read a zip's CSV files, refusing it before reading when it declares too many files or bytes.

    The declared sizes can lie, so the bytes are counted again while they are read.
    """
    members: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_MEMBERS:
                raise ArchiveTooLargeError(f"the zip holds {len(entries):,} files; at most {MAX_ZIP_MEMBERS}")
            csv_members = [info for info in entries if not info.is_dir() and info.filename.endswith(".csv")]
            declared = sum(info.file_size for info in csv_members)
            if declared > max_bytes:
                raise ArchiveTooLargeError(f"the zip expands to {declared:,} bytes; {_at_most(max_bytes)}")
            left = max_bytes
            for info in csv_members:
                content = _read_member(archive, info, left, max_bytes)
                left -= len(content)
                members[PurePosixPath(info.filename).name] = content
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError) as error:
        raise HSDSFileError(f"not a readable zip: {error}") from None
    except RuntimeError as error:  # an encrypted member
        raise HSDSFileError(f"not a readable zip: {error}") from None
    return members


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, left: int, max_bytes: int) -> bytes:
    """Read one member, refusing it as soon as it expands past the `left` bytes of the budget."""
    chunks = []
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(min(READ_CHUNK_BYTES, left - size + 1)):
            size += len(chunk)
            if size > left:
                raise ArchiveTooLargeError(f"the zip expands to more than it declares; {_at_most(max_bytes)}")
            chunks.append(chunk)
    return b"".join(chunks)


def _at_most(limit: int) -> str:
    return f"an import may expand to at most {limit:,} bytes ({limit // (1024 * 1024)} MiB)"


def read_csv_package(files: Mapping[str, bytes]) -> Tables:
    """Read the CSV files of a tabular data package (by file name; datapackage.json is not needed)."""
    tables = Tables()
    known = {name: table_of_file(name) for name in files if name.endswith(".csv")}
    if not any(known.values()):
        raise HSDSFileError("no HSDS CSV file found (expected names like organizations.csv, services.csv)")
    for name, table in sorted(known.items()):
        if table is None:
            tables.problems[name] = "is not a table of the HSDS 3.0 data package"
            continue
        try:
            text = files[name].decode("utf-8-sig")
        except UnicodeDecodeError:
            tables.problems[name] = "is not UTF-8 text"
            tables.unread.add(table)
            continue
        _read_csv_file(tables, name, table, text)
    tables.problems.update(too_many_rows(tables.rows, tables.origins))
    return tables


def _read_csv_file(tables: Tables, name: str, table: str, text: str) -> None:
    rows = csv.DictReader(io.StringIO(text, newline=""))
    number = 0  # the rows read so far, the header being row 1
    try:
        _ = rows.fieldnames
        number = 1
        for row in rows:
            number += 1
            if None in row:
                tables.problems[f"{name}:{number}"] = "has more values than the header has columns"
                tables.unread.add(table)
                continue
            values = {column: from_csv_value(table, column, value or "") for column, value in row.items()}
            tables.add_row(table, values, f"{name}:{number}")
    except csv.Error as error:
        tables.unread.add(table)
        where = f"{name}:{number + 1}"
        if "field limit" in str(error):
            tables.problems[where] = f"has a value longer than {MAX_CSV_FIELD_CHARS:,} characters"
        else:
            tables.problems[where] = f"is not valid CSV: {error}"


def read_json(data: bytes) -> Tables:
    """Read HSDS JSON (an object, an array, a page, tabular JSON) or newline-delimited JSON."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HSDSFileError("not UTF-8 text: expected HSDS JSON, ndjson, or a zip of CSV files") from None
    if json_too_deep(text):
        raise HSDSFileError(f"nests arrays and objects more than {MAX_JSON_DEPTH} levels deep")
    tables = Tables()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as whole_error:
        lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
        if len(lines) < 2:
            raise HSDSFileError(f"not JSON: {whole_error}") from None
        parsed = 0
        for number, line in lines:
            try:
                item = json.loads(line)
            except json.JSONDecodeError as error:
                tables.problems[f"line {number}"] = f"not JSON: {error.msg} (column {error.colno})"
                tables.unread.add("*")
                continue
            parsed += 1
            _add_document(tables, item, f"line {number}")
        if not parsed:
            raise HSDSFileError(f"not JSON, nor JSON a line: {whole_error}") from None
    else:
        _add_parsed(tables, document)
    tables.problems.update(too_many_rows(tables.rows, tables.origins))
    return tables


def _add_parsed(tables: Tables, document: Any) -> None:
    if isinstance(document, list):
        for index, item in enumerate(document):
            _add_document(tables, item, f"/{index}")
    else:
        _add_document(tables, document, "")


def _add_document(tables: Tables, document: Any, pointer: str) -> None:
    if not isinstance(document, Mapping):
        tables.problems[pointer or "/"] = "must be an HSDS object"
        tables.unread.add("*")
        return
    keys = set(document)
    if keys >= PAGE_KEYS and isinstance(document.get("contents"), list):
        for index, item in enumerate(document["contents"]):
            _add_document(tables, item, f"{pointer}/contents/{index}")
        return
    if keys and all(key.endswith(".csv") for key in keys):
        _add_tabular_json(tables, document, pointer)
        return
    if keys and keys <= API_META_KEYS:
        return  # the API's meta information (`/`) describes the API, not records
    if "id" not in keys and keys & set(COLLECTIONS):
        for key in keys & set(COLLECTIONS):
            items = document[key]
            items = [items] if isinstance(items, Mapping) else items
            if not isinstance(items, list):
                tables.problems[f"{pointer}/{key}"] = "must be a list"
                continue
            for index, item in enumerate(items):
                tables.flatten(COLLECTIONS[key], item, f"{pointer}/{key}/{index}")
        return
    tables.flatten(guess_table(document), document, pointer)


def _add_tabular_json(tables: Tables, document: Mapping[str, Any], pointer: str) -> None:
    for file_name, rows in document.items():
        table = table_of_file(file_name)
        where = f"{pointer}/{file_name}"
        if table is None:
            tables.problems[where] = "is not a table of the HSDS 3.0 data package"
            continue
        if not isinstance(rows, Iterable) or isinstance(rows, str | Mapping):
            tables.problems[where] = "must be a list of rows"
            continue
        for index, row in enumerate(rows):
            if isinstance(row, Mapping):
                tables.add_row(table, row, f"{where}/{index}")
            else:
                tables.problems[f"{where}/{index}"] = "must be an object"


def guess_table(document: Mapping[str, Any]) -> str:
    """Return which HSDS object a top-level JSON object is, from the fields it has."""
    keys = set(document)
    if "status" in keys or "service_at_locations" in keys:
        return "service"
    if "location_type" in keys or "addresses" in keys:
        return "location"
    if {"service", "location"} & keys or {"service_id", "location_id"} <= keys:
        return "service_at_location"
    if keys & ORGANIZATION_KEYS:
        return "organization"
    if keys & TERM_KEYS:
        return "taxonomy_term"
    if keys <= TAXONOMY_KEYS and "version" in keys:
        return "taxonomy"
    return "organization"
