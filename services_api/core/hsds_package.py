"""Write HSDS 3.0 tabular data packages: rows spooled to one CSV file a table, then zipped as a stream."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any
from zipfile import ZIP_DEFLATED, ZipFile

from .hsds_tables import Tables, csv_value, export_descriptor, table_columns, table_files

CHUNK = 64 * 1024
# Rows that may hang under several exported parents (a phone of a service and of its location).
MULTI_PARENT = {
    "phone": ("location_id", "service_id", "organization_id", "contact_id", "service_at_location_id"),
    "contact": ("organization_id", "service_id", "service_at_location_id", "location_id"),
    "schedule": ("service_id", "location_id", "service_at_location_id"),
    "language": ("service_id", "location_id", "phone_id"),
}


class CsvSpool:
    """One CSV file a table in `folder`, header first, rows appended as they come; each id written once."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.files: dict[str, IO[str]] = {}
        self.writers: dict[str, Any] = {}
        self.shared_ids: set[tuple[str, str]] = set()
        for table, columns in table_columns().items():
            handle = (folder / table_files()[table]).open("w", encoding="utf-8", newline="")
            self.files[table] = handle
            self.writers[table] = csv.writer(handle)
            self.writers[table].writerow(columns)

    def add(self, tables: Tables) -> None:
        """Append every row of `tables` to its table's file."""
        for table, rows in tables.rows.items():
            columns = table_columns().get(table)
            if columns is None:
                continue
            for row in rows.values():
                if self._seen_under_another_parent(table, row):
                    continue
                self.writers[table].writerow([csv_value(row.get(column)) for column in columns])

    def _seen_under_another_parent(self, table: str, row: Mapping[str, Any]) -> bool:
        parents = MULTI_PARENT.get(table, ())
        if sum(1 for column in parents if row.get(column)) < 2:
            return False
        key = (table, str(row["id"]))
        if key in self.shared_ids:
            return True
        self.shared_ids.add(key)
        return False

    def close(self) -> None:
        """Flush and close every file."""
        for handle in self.files.values():
            handle.close()


def spool_package(documents: Iterable[tuple[str, Iterable[Mapping[str, Any]]]], folder: Path) -> None:
    """Write (table, nested HSDS objects) pairs into the CSV files of a package in `folder`."""
    spool = CsvSpool(folder)
    try:
        for table, objects in documents:
            tables = Tables()
            for index, document in enumerate(objects):
                tables.flatten(table, document, f"/{index}")
            spool.add(tables)
    finally:
        spool.close()


class _Sink(io.RawIOBase):
    """An unseekable file that keeps what is written until drained (so a zip can be streamed)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def zip_package(folder: Path) -> Iterator[bytes]:
    """Yield a zip of `datapackage.json` and the package's CSV files, a chunk at a time."""
    sink = _Sink()
    with ZipFile(sink, "w", compression=ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(export_descriptor(), indent=2, ensure_ascii=False))
        yield sink.drain()
        for file_name in table_files().values():
            with (folder / file_name).open("rb") as source, archive.open(file_name, "w") as entry:
                while chunk := source.read(CHUNK):
                    entry.write(chunk)
                    if data := sink.drain():
                        yield data
            yield sink.drain()
    yield sink.drain()
