"""Long streams under gunicorn with `make run`'s settings: a full ndjson sync and an export at once.

Serves the given SQLite file (creating it with N synthetic listings when it does not exist) with
`gunicorn -c python:services_api.gunicorn_config`, measures plain-request latency alone, then runs
`/services?format=ndjson&full=true` and `/export` together while timing plain requests, and reports
each stream's time, size and completeness and the workers' memory (peak RSS, and own memory).

    .venv/bin/python benchmarks/streams.py --sqlite /tmp/streams50k.db --listings 50000 --port 8301
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PLAIN = "/api/v1/services?per_page=25"
STREAMS = ("/api/v1/services?format=ndjson&full=true", "/api/v1/export")


def _prepare(database: Path, listings: int, env: dict[str, str]) -> None:
    if database.exists():
        return
    flask = [str(BIN / "flask"), "--app", "services_api"]
    subprocess.run([*flask, "init-db"], env=env, cwd=ROOT, check=True)
    subprocess.run([*flask, "seed", "synthetic", "--locations", str(listings)], env=env, cwd=ROOT, check=True)


def _get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


@dataclass
class Streamed:
    """What one stream delivered."""

    seconds: float = 0.0
    size: int = 0
    lines: int = 0
    tail: bytes = b""
    complete: str = "not run"


def _stream(url: str, result: Streamed) -> None:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=600) as response:
            while chunk := response.read(1 << 20):
                result.size += len(chunk)
                result.lines += chunk.count(b"\n")
                result.tail = (result.tail + chunk)[-(1 << 16) :]
        result.complete = "yes"  # http.client raises IncompleteRead on a stream without its terminator
    except Exception as error:
        result.complete = f"no: {error!r}"
    result.seconds = time.perf_counter() - started


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def _memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def main() -> None:
    """Run the measurement and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", type=Path, required=True, help="SQLite file (created when missing)")
    parser.add_argument("--listings", type=int, default=50000, help="synthetic listings for a new file")
    parser.add_argument("--port", type=int, default=8301)
    args = parser.parse_args()
    env = {**os.environ, "APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{args.sqlite.resolve()}"}
    env["PORT"] = str(args.port)
    _prepare(args.sqlite, args.listings, env)
    command = [str(BIN / "gunicorn"), "-c", "python:services_api.gunicorn_config", "wsgi:app"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(base + "/api/v1/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        alone = [_get(base + PLAIN) for _ in range(30)]
        anon_before = [_memory_kib(pid, "RssAnon") for pid in _workers(server.pid)]
        results = {path: Streamed() for path in STREAMS}
        threads = [threading.Thread(target=_stream, args=(base + path, results[path])) for path in STREAMS]
        for thread in threads:
            thread.start()
        during: list[float] = []
        peak_anon = 0
        while any(thread.is_alive() for thread in threads):
            during.append(_get(base + PLAIN))
            peak_anon = max([peak_anon, *(_memory_kib(pid, "RssAnon") for pid in _workers(server.pid))])
            time.sleep(0.2)
        hwm = [_memory_kib(pid, "VmHWM") for pid in _workers(server.pid)]
    finally:
        server.terminate()
        server.wait(timeout=60)
    print(f"plain {PLAIN}: median {statistics.median(alone):.1f} ms alone")
    print(
        f"  while both streams ran: median {statistics.median(during):.1f} ms, "
        f"max {max(during):.1f} ms over {len(during)} requests"
    )
    for path, result in results.items():
        print(
            f"{path}: {result.seconds:.1f} s, {result.size / 1e6:.1f} MB, {result.lines} lines, "
            f"complete: {result.complete}"
        )
    print("  the export ends with a zip's end record:", b"PK\x05\x06" in results[STREAMS[1]].tail)
    print(f"workers' peak RSS (VmHWM): {', '.join(f'{kib / 1024:.0f} MiB' for kib in hwm)}")
    # RSS counts the memory-mapped SQLite file too (mmap_size); RssAnon is the process's own memory.
    before = ", ".join(f"{kib / 1024:.0f} MiB" for kib in anon_before)
    print(f"workers' own memory (RssAnon) before the streams: {before}")
    print(f"largest worker RssAnon sampled during the streams: {peak_anon / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
