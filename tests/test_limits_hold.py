"""The documented rate limits hold across every worker of a deployment, and behind a trusted proxy.

The first test serves the app with a real multi-worker gunicorn, set up the way an operator does it
(`init-db`, `import --vetted`, `keys issue --operator`), and sends its requests concurrently so that
every worker answers some of them.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from services_api import create_app

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PORTS = {"default": 8401, "redis": 8402}
ORGANIZATION = {
    "id": "6f1c1f0e-3b1e-4a53-9d52-0c8b6a3f1a01",
    "name": "Probe Collective",
    "description": "An organisation for this test.",
    "services": [
        {
            "id": "6f1c1f0e-3b1e-4a53-9d52-0c8b6a3f1a02",
            "name": "Probe clinic",
            "status": "active",
            "description": "Checks without an appointment.",
        }
    ],
}
AUTH_FAILURES = 6
REPORTS = 4


@dataclass
class Served:
    """A gunicorn serving the app on a fresh SQLite database, with an operator key."""

    url: str
    operator_key: str
    log: Path

    def status(self, method: str, path: str, *, key: str | None = None, body: object | None = None) -> int:
        """Send one request on a new connection; return its status."""
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            error.read()
            return int(error.code)

    def workers_that_answered(self, *statuses: int) -> set[str]:
        """Return the process ids of the workers that gave these statuses (from the access log)."""
        lines = re.findall(r"^<(\d+)> (\d{3})$", self.log.read_text(), flags=re.MULTILINE)
        return {pid for pid, status in lines if int(status) in statuses}


def _flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "services_api", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited before serving")
        try:
            with urllib.request.urlopen(url + "/api/v1/taxonomies", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start serving in time")


@pytest.fixture(params=["default", "redis"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    """The app under gunicorn with three workers, its rate limits in the default store or in Redis."""
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),  # every key in the limit store is an HMAC under it
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'directory.db'}",
        "AUTH_FAILURE_LIMIT": f"{AUTH_FAILURES}/minute",
        "REPORT_LIMIT": f"{REPORTS}/hour",
        "PORT": str(PORTS[request.param]),
        "WEB_CONCURRENCY": "3",
    }
    env.pop("RATELIMIT_STORAGE_URI", None)
    env.pop("TEST_DATABASE_URL", None)
    if request.param == "redis":
        env["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379/0"
    _flask(env, "init-db")
    data = tmp_path / "directory.json"
    data.write_text(json.dumps(ORGANIZATION))
    _flask(env, "import", str(data), "--vetted")
    operator_key = _flask(env, "keys", "issue", "--operator").strip()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-c",
                "python:services_api.gunicorn_config",
                # One request at a time per worker, so that concurrent requests are spread over all
                # three: a threaded worker may take them all in one process, which would not show
                # that every worker shares the count.
                "--worker-class",
                "sync",
                "--access-logformat",
                "%(p)s %(s)s",
                "wsgi:app",
            ],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{PORTS[request.param]}"
        _wait_until_up(url, process)
        yield Served(url=url, operator_key=operator_key, log=log)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _concurrently(count: int, send: object) -> Counter[int]:
    with ThreadPoolExecutor(max_workers=6) as pool:
        return Counter(pool.map(lambda _: send(), range(count)))  # type: ignore[operator]


def _until_two_workers_answered(served: Served, count: int, send: object, *statuses: int) -> Counter[int]:
    """Send bursts of `count` requests until at least two workers answered one of `statuses`.

    On a busy machine one worker may take a whole burst; a later refusal from another worker
    shows just as well that it counts what the first one counted.
    """
    answers = _concurrently(count, send)
    for _burst in range(20):
        if len(served.workers_that_answered(*statuses)) >= 2:
            break
        answers += _concurrently(count, send)
    return answers


def test_limits_hold_across_every_gunicorn_worker(served: Served) -> None:
    bad_keys = _until_two_workers_answered(
        served,
        4 * AUTH_FAILURES,
        lambda: served.status("GET", "/api/v1/admin/services", key="sa_nope_x"),
        401,
        429,
    )
    assert bad_keys[401] == AUTH_FAILURES and set(bad_keys) == {401, 429}
    assert len(served.workers_that_answered(401, 429)) >= 2
    assert served.status("GET", "/api/v1/admin/services", key=served.operator_key) == 200

    report = {"kind": "closed", "message": "Shut since Monday."}
    path = f"/api/v1/services/{ORGANIZATION['services'][0]['id']}/reports"  # type: ignore[index]
    reports = _until_two_workers_answered(
        served, 4 * REPORTS, lambda: served.status("POST", path, body=report), 201, 429
    )
    assert reports[201] == REPORTS and set(reports) == {201, 429}
    assert len(served.workers_that_answered(201, 429)) >= 2


def _behind_proxy(seeded_app: Flask, trusted: int) -> Flask:
    return create_app(
        {
            "APP_ENV": "testing",
            "DATABASE_URL": seeded_app.config["DATABASE_URL"],
            "TRUSTED_PROXY_COUNT": str(trusted),
            "AUTH_FAILURE_LIMIT": "2/minute",
        }
    )


@pytest.mark.parametrize("trusted", [0, 1])
def test_clients_behind_a_trusted_proxy_get_buckets_of_their_own(seeded_app: Flask, trusted: int) -> None:
    app = _behind_proxy(seeded_app, trusted)
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "127.0.0.1"}

    def attempt(forwarded_for: str) -> int:
        headers = {"Authorization": "Bearer sa_nope_x", "X-Forwarded-For": forwarded_for}
        return client.get("/api/v1/admin/services", headers=headers, environ_base=proxy).status_code

    assert [attempt("203.0.113.5"), attempt("203.0.113.5"), attempt("203.0.113.5")] == [401, 401, 429]
    # A client cannot escape its bucket by sending its own X-Forwarded-For: the proxy appends the real one.
    assert attempt("198.51.100.1, 203.0.113.5") == 429
    assert attempt("198.51.100.7") == (401 if trusted else 429)
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("trusted", [0, 1])
def test_behind_a_trusted_proxy_absolute_urls_use_its_scheme_and_host(
    seeded_app: Flask, trusted: int
) -> None:
    app = _behind_proxy(seeded_app, trusted)
    client = app.test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "directory.example.org"}
    base = "https://directory.example.org" if trusted else "http://localhost"
    redirect = client.get("/api/v1", headers=forwarded)
    assert redirect.status_code in (301, 308)
    assert redirect.headers["Location"] == f"{base}/api/v1/"
    root = client.get("/api/v1/", headers=forwarded).get_json()
    assert root["openapi_url"] == f"{base}/api/v1/openapi.json"
    assert root["profile"] == f"{base}/api/v1/docs"
    app.extensions["db_engine"].dispose()


def test_an_unreachable_limit_store_gives_a_json_503_not_a_server_error(seeded_app: Flask) -> None:
    nothing_listens = "redis://127.0.0.1:8409/0"  # a port of this test's own range, never served
    app = create_app(
        {
            "APP_ENV": "testing",
            "DATABASE_URL": seeded_app.config["DATABASE_URL"],
            "RATELIMIT_STORAGE_URI": nothing_listens,
        }
    )
    client = app.test_client()
    refused = client.get("/api/v1/admin/services", headers={"Authorization": "Bearer sa_nope_x"})
    assert refused.status_code == 503 and refused.get_json()["code"] == 503
    report = client.post(f"/api/v1/services/{uuid.uuid4()}/reports", json={"kind": "closed"})
    assert report.status_code in (404, 503) and report.is_json
    app.extensions["db_engine"].dispose()
