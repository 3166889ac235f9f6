"""The production server's access log never records a searcher's query string or searched place."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from services_api import gunicorn_config

ROOT = Path(__file__).resolve().parents[1]
SEARCHES = (
    "/api/v1/services?search=clinic&lat=51.5123456&lng=-0.1234567",
    "/api/v1/service_at_locations?near=W1D%203QU&radius_km=3",
    "/api/v1/services?near=Manchester&category=housing",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_access_log_format_leaves_out_query_address_and_agent() -> None:
    for token in ("%(q)s", "%(r)s", "%(h)s", "%(a)s", "%(f)s", "%(U)s?"):
        assert token not in gunicorn_config.access_log_format


@pytest.mark.skipif(os.environ.get("TEST_DATABASE_URL") is not None, reason="the same on every database")
def test_gunicorn_logs_the_path_but_not_the_query(templates: dict[str, Path], tmp_path: Path) -> None:
    database = tmp_path / "served.db"
    shutil.copy(templates["seeded"], database)
    port = _free_port()
    env = {
        **os.environ,
        "APP_ENV": "testing",
        "DATABASE_URL": f"sqlite:///{database}",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-c", "python:services_api.gunicorn_config", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/", timeout=2) as response:
                    assert response.status == 200
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        for search in SEARCHES:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{search}", timeout=10) as response:
                assert response.status == 200
        page_search = urllib.parse.urlencode({"near": "Manchester", "category": "housing"}).encode()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/es/", data=page_search, timeout=10) as response:
            assert response.status == 200 and "Manchester" in response.read().decode()
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "GET /api/v1/services" in output and "GET /api/v1/service_at_locations" in output
    assert '"POST /es/"' in output  # the search page's search: its place is in the body, never logged
    for secret in (
        "51.512",
        "-0.123",
        "W1D",
        "Manchester",
        "housing",
        "clinic",
        "lat=",
        "near=",
        "127.0.0.1 -",
    ):
        assert secret not in output
