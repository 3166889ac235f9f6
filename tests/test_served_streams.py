"""Under gunicorn with `make run`'s settings: long streams finish, the API keeps answering meanwhile,
a cut-off stream looks incomplete, and what gunicorn refuses itself is JSON and logs no address.

The worker timeout is lowered to a few seconds, and each stream is held open (its client reading
nothing) for longer than that: a sync worker would be killed mid-stream.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PORTS = range(8301, 8310)
WORKER_TIMEOUT = 3
LISTINGS = 2000  # a full sync of them (~7 MB) is more than the kernel's socket buffers hold
FULL_SYNC = "/api/v1/services?format=ndjson&full=true"

pytestmark = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE_URL") is not None,
    reason="the server's behaviour is the same on every database",
)


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8301-8309")


@dataclass
class Served:
    """A running gunicorn, its port and the file its logs go to."""

    port: int
    log: Path
    process: subprocess.Popen[bytes]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def logged(self) -> str:
        return self.log.read_text(errors="replace")


def _serve(database: Path, log: Path, **extra_env: str) -> Served:
    port = _free_port()
    env = {
        **os.environ,
        "APP_ENV": "testing",
        "DATABASE_URL": f"sqlite:///{database}",
        "PORT": str(port),
        **extra_env,
    }
    env.pop("WEB_CONCURRENCY", None)  # make run's default: two workers
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "-c", "python:services_api.gunicorn_config", "wsgi:app"]
    command += ["--timeout", str(WORKER_TIMEOUT), "--graceful-timeout", "1"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    served = Served(port, log, process)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(served.url("/api/v1/"), timeout=5) as response:
                assert response.status == 200
            return served
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                _stop(served)
                raise
            time.sleep(0.2)


def _stop(served: Served) -> None:
    if served.process.poll() is None:
        served.process.terminate()
    try:
        served.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        served.process.kill()
        served.process.wait()


@pytest.fixture(scope="module")
def synthetic_database(templates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite copy of the demo directory plus LISTINGS synthetic listings."""
    database = tmp_path_factory.mktemp("served") / "served.db"
    shutil.copy(templates["seeded"], database)
    flask = Path(sys.executable).with_name("flask")
    env = {**os.environ, "APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run(
        [str(flask), "--app", "services_api", "seed", "synthetic", "--locations", str(LISTINGS)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return database


@pytest.fixture(scope="module")
def served(synthetic_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """gunicorn with make run's settings (two workers) over the synthetic directory."""
    running = _serve(synthetic_database, tmp_path_factory.mktemp("logs") / "gunicorn.log")
    yield running
    _stop(running)


@dataclass
class RawAnswer:
    """An HTTP/1.1 answer read off the socket as it came: status, headers, de-chunked body, terminator."""

    status: int
    headers: dict[str, str]
    body: bytes
    terminated: bool


def _parse(raw: bytes) -> RawAnswer:
    head, _, rest = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {
        name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])
    }
    if headers.get("transfer-encoding") != "chunked":
        return RawAnswer(status, headers, rest, terminated=True)
    body, terminated = bytearray(), False
    while b"\r\n" in rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            terminated = rest.startswith(b"\r\n")
            break
        if len(rest) < size + 2:
            body += rest[:size]
            break
        body += rest[:size]
        rest = rest[size + 2 :]
    return RawAnswer(status, headers, bytes(body), terminated)


class RawRequest:
    """A GET on a raw socket: read the head now, the rest when asked (the server meanwhile blocks)."""

    def __init__(self, served: Served, path: str, extra_headers: str = ""):
        self.sock = socket.socket()
        # A small, fixed receive window: a server sending more than the buffers hold waits for us.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
        self.sock.settimeout(60)
        self.sock.connect(("127.0.0.1", served.port))
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra_headers}Connection: close\r\n\r\n"
        self.sock.sendall(request.encode("latin-1"))
        self.raw = bytearray()
        while b"\r\n\r\n" not in self.raw:
            data = self.sock.recv(65536)
            if not data:
                break
            self.raw += data

    def finish(self) -> RawAnswer:
        """Read to the end of the connection and parse what came."""
        while data := self.sock.recv(1 << 20):
            self.raw += data
        self.sock.close()
        return _parse(bytes(self.raw))


def _get_json(served: Served, path: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(served.url(path), timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@dataclass
class HeldStream:
    """A stream whose client reads nothing until released, then reads it all."""

    served: Served
    path: str
    started: threading.Event = field(default_factory=threading.Event)
    answer: RawAnswer | None = None
    request: RawRequest | None = None

    def run(self, release: threading.Event) -> None:
        opened = time.monotonic()
        self.request = RawRequest(self.served, self.path)
        self.started.set()
        release.wait(timeout=120)
        time.sleep(max(0.0, WORKER_TIMEOUT + 1 - (time.monotonic() - opened)))
        self.answer = self.request.finish()


def test_long_streams_finish_while_the_api_keeps_answering(served: Served) -> None:
    status, page = _get_json(served, "/api/v1/services?per_page=1")
    assert status == 200
    total = page["total_items"]
    assert isinstance(total, int) and total > LISTINGS
    release = threading.Event()
    streams = [HeldStream(served, FULL_SYNC), HeldStream(served, "/api/v1/export")]
    threads = [threading.Thread(target=stream.run, args=(release,)) for stream in streams]
    for thread in threads:
        thread.start()
    try:
        for stream in streams:
            assert stream.started.wait(timeout=60)
        # Both streams are running (each holds a worker thread, blocked on its idle client): plain
        # requests are answered meanwhile, and a third stream of the same client is refused.
        for path in ("/api/v1/services?per_page=5", "/api/v1/taxonomies", "/api/v1/"):
            assert _get_json(served, path)[0] == 200
        third = RawRequest(served, "/api/v1/service_at_locations?format=ndjson").finish()
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=180)
    sync, export = (stream.answer for stream in streams)
    assert sync is not None and export is not None
    assert sync.status == 200 and sync.terminated
    lines = sync.body.decode().splitlines()
    assert len(lines) == total and all(json.loads(line)["id"] for line in lines)
    assert export.status == 200 and export.terminated
    with zipfile.ZipFile(io.BytesIO(export.body)) as archive:
        assert archive.testzip() is None
        assert len(archive.read("services.csv").decode().splitlines()) == total + 1
    assert third.status == 429 and int(third.headers["retry-after"]) > 0
    assert set(json.loads(third.body)) == {"code", "status", "message", "errors"}
    # Once the two streams ended, their slots are free again.
    assert RawRequest(served, "/api/v1/services?format=ndjson").finish().terminated


def test_a_stream_cut_off_mid_way_ends_without_the_terminating_chunk(
    synthetic_database: Path, tmp_path: Path
) -> None:
    server = _serve(synthetic_database, tmp_path / "gunicorn.log")
    try:
        stream = RawRequest(server, FULL_SYNC)
        # A restart: the worker gets its graceful timeout (1 s here), then is killed mid-stream.
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=30)
        answer = stream.finish()
    finally:
        _stop(server)
    assert answer.status == 200 and answer.headers["transfer-encoding"] == "chunked"
    assert not answer.terminated
    assert 0 < len(answer.body.splitlines()) < LISTINGS


def test_what_gunicorn_refuses_is_json_and_its_log_holds_no_address(served: Served) -> None:
    search = "lat=51.5123456&lng=-0.1234567&near=Manchester"
    many = "".join(f"X-Header-{index}: {index}\r\n" for index in range(150))
    refused = [
        (414, RawRequest(served, f"/api/v1/services?{search}&pad={'a' * 5000}").finish()),
        (431, RawRequest(served, "/api/v1/", extra_headers=f"X-Big: {'b' * 9000}\r\n").finish()),
        (431, RawRequest(served, "/api/v1/", extra_headers=many).finish()),
        (400, RawRequest(served, f"/api/v1/services?{search}\x01bad").finish()),
    ]
    for expected, answer in refused:
        assert answer.status == expected
        assert answer.headers["content-type"] == "application/json"
        body = json.loads(answer.body)
        assert set(body) == {"code", "status", "message", "errors"} and body["code"] == expected
    log = [line for line in served.logged().splitlines() if "Listening at" not in line]
    assert log, "the log was captured"
    for secret in ("127.0.0.1", "51.512", "-0.123", "Manchester", "lat="):
        assert not [line for line in log if secret in line], secret
