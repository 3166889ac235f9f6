"""Write HSDS 3.0 tabular data packages as a zip streamed while it is built (nested tables spooled)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from itertools import groupby
from pathlib import Path
from typing import IO, Any
from zipfile import ZIP64_LIMIT, ZIP_DEFLATED, ZipFile

from services_api.core.hsds.tables import Tables, csv_value, export_descriptor, table_columns, table_files

CHUNK = 64 * 1024
# Rows that may hang under several exported parents (a phone of a service and of its location).
MULTI_PARENT = {
    "phone": ("location_id", "service_id", "organization_id", "contact_id", "service_at_location_id"),
    "contact": ("organization_id", "service_id", "service_at_location_id", "location_id"),
    "schedule": ("service_id", "location_id", "service_at_location_id"),
    "language": ("service_id", "location_id", "phone_id"),
}


class CsvSpool:
    """One CSV file a table in `folder`, header first, rows appended as they come; each id written once.

    The rows of a table being written straight into the zip go to its `direct` writer instead; a
    table whose zip entry is already closed may get no more rows.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.files: dict[str, IO[str]] = {}
        self.writers: dict[str, Any] = {}
        self.shared_ids: set[tuple[str, str]] = set()
        self.spooled: set[str] = set()
        self.closed: set[str] = set()
        for table, columns in table_columns().items():
            handle = (folder / table_files()[table]).open("w", encoding="utf-8", newline="")
            self.files[table] = handle
            self.writers[table] = csv.writer(handle)
            self.writers[table].writerow(columns)

    def add(self, tables: Tables, *, direct: Mapping[str, Any] | None = None) -> None:
        """Append every row of `tables` to its table's file (or to its writer in `direct`)."""
        for table, rows in tables.rows.items():
            columns = table_columns().get(table)
            if columns is None or not rows:
                continue
            if table in self.closed:
                raise ValueError(f"{table} rows came after its file was written")
            writer = (direct or {}).get(table)
            if writer is None:
                writer = self.writers[table]
                self.spooled.add(table)
            for row in rows.values():
                if self._seen_under_another_parent(table, row):
                    continue
                writer.writerow([csv_value(row.get(column)) for column in columns])

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


def stream_package(
    documents: Iterable[tuple[str, Iterable[Mapping[str, Any]]]], folder: Path
) -> Iterator[bytes]:
    """Yield the zip of a package while it is built from (table, nested HSDS objects) pairs.

    Each pair's own table is written straight into the zip as its batches come (the pairs of one
    table must come together), so bytes flow from the start however big the directory is; the tables
    nested in them (phones, schedules...) are spooled in `folder` and added at the end.
    """
    sink = _Sink()
    spool = CsvSpool(folder)
    try:
        with ZipFile(sink, "w", compression=ZIP_DEFLATED) as archive:
            descriptor = json.dumps(export_descriptor(), indent=2, ensure_ascii=False)
            archive.writestr("datapackage.json", descriptor)
            yield sink.drain()
            for table, run in groupby(documents, key=lambda pair: pair[0]):
                yield from _write_direct(archive, table, (objects for _table, objects in run), spool, sink)
            spool.close()
            for table, file_name in table_files().items():
                if table not in spool.closed:
                    yield from _copy_into(archive, folder / file_name, file_name, sink)
        yield sink.drain()
    finally:
        spool.close()


def _write_direct(
    archive: ZipFile,
    table: str,
    batches: Iterable[Iterable[Mapping[str, Any]]],
    spool: CsvSpool,
    sink: _Sink,
) -> Iterator[bytes]:
    """Write `table`'s records straight into its zip entry, the tables nested in them to the spool."""
    if table in spool.spooled or table in spool.closed:
        raise ValueError(f"{table} records must come together, before any is nested in another table")
    # Its size is unknown until the end: zip64 sizes, in case the table passes 2 GiB.
    with archive.open(table_files()[table], "w", force_zip64=True) as raw:
        entry = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(entry)
        writer.writerow(table_columns()[table])
        for objects in batches:
            tables = Tables()
            for index, document in enumerate(objects):
                tables.flatten(table, document, f"/{index}")
            spool.add(tables, direct={table: writer})
            entry.flush()
            if data := sink.drain():
                yield data
        entry.detach()  # the entry itself is closed by `with`, on an error too
    spool.closed.add(table)


def _copy_into(archive: ZipFile, source_path: Path, name: str, sink: _Sink) -> Iterator[bytes]:
    big = source_path.stat().st_size > ZIP64_LIMIT // 2
    with source_path.open("rb") as source, archive.open(name, "w", force_zip64=big) as entry:
        while chunk := source.read(CHUNK):
            entry.write(chunk)
            if data := sink.drain():
                yield data
    if data := sink.drain():
        yield data
