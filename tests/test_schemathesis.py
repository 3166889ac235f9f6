"""schemathesis fuzzes a served instance against its own OpenAPI 3.1 document, with every check it has.

A throw-away gunicorn serves a copy of the demo directory (on the test database: PostgreSQL refuses
input that SQLite stores, such as NUL bytes and out-of-range integers, so both runs of `make test`
fuzz). One run covers the public API, one the admin API with a partner's key. Any failure fails the
test: a 500, a status, header, media type or body the document does not name, a request the
document allows that is refused, or one it forbids that is accepted. The few adjustments for what
Swagger 2.0 cannot express are in schemathesis.toml, each with its reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from services_api import create_app
from services_api.core.access import keys, partners
from services_api.core.actors import Actor
from services_api.db import get_session
from services_api.models import Role

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "schemathesis.toml"
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
SEED = "20261201"
# A partner that owns one demo organisation, so its key reaches real records.
PARTNER_ORGANIZATION = uuid.UUID("c426db42-45a9-5719-b80c-ae20e2fca0f3")
# Bounded so that both runs take about a minute on two cores; see the README for a longer run.
MAX_EXAMPLES = "15"

pytestmark = pytest.mark.fuzz


@dataclass
class Served:
    """A running throw-away instance: its OpenAPI document and a partner's key."""

    openapi_url: str
    partner_key: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database(templates: dict[str, Any], folder: Path) -> str:
    """A copy of the demo directory of its own, on the database the suite runs on."""
    if "postgres" in templates:
        postgres = templates["postgres"]
        postgres.names["fuzz"] = f"{postgres.base}_fuzz"  # dropped with the templates
        return str(postgres.recreate("fuzz", template="seeded"))
    target = folder / "served.db"
    shutil.copy(templates["seeded"], target)
    return f"sqlite:///{target}"


def _partner_key(database_url: str) -> str:
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": database_url})
    with app.app_context():
        session = get_session()
        actor = Actor.command_line()
        partner = partners.create_partner(
            session, actor=actor, name="Fuzz partner", email=None, organization_id=PARTNER_ORGANIZATION
        )
        issued = keys.issue_key(
            session, app.config["SECRET_KEY"], actor=actor, role=Role.PARTNER, partner=partner, label="fuzz"
        )
        session.commit()
    app.extensions["db_engine"].dispose()
    return issued.token


def _wait_until_up(url: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                assert response.status == 200
            return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def served(templates: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Serve the demo directory with gunicorn, rate limits raised so the fuzzer is not just refused."""
    if not SCHEMATHESIS.exists():
        pytest.fail("schemathesis is not installed: pip install -e '.[dev]'")
    folder = tmp_path_factory.mktemp("fuzz")
    database_url = _database(templates, folder)
    partner_key = _partner_key(database_url)
    port = _free_port()
    env = {
        **os.environ,
        "APP_ENV": "testing",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(folder),
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "AUTH_FAILURE_LIMIT": "1000000/minute",
        "REPORT_LIMIT": "1000000/minute",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = (folder / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(gunicorn), "-c", "python:services_api.gunicorn_config", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/api/v1/", server)
        yield Served(f"http://127.0.0.1:{port}/api/v1/openapi.json", partner_key)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _schemathesis(served: Served, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run schemathesis with every check, a fixed seed and bounded examples; return what it said."""
    command = [
        str(SCHEMATHESIS),
        "--no-color",
        "--config-file",
        str(CONFIG),
        "run",
        served.openapi_url,
        "--seed",
        SEED,
        "--max-examples",
        MAX_EXAMPLES,
        "--workers",
        "2",
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        *args,
    ]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=600)


def _assert_passed(result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-12000:]
    assert "Tested:" in output and "Tested: 0" not in output, output[-4000:]


def test_public_api_conforms_to_its_document(served: Served, tmp_path: Path) -> None:
    result = _schemathesis(served, tmp_path, "--exclude-path-regex", "^/admin")
    _assert_passed(result)


def test_admin_api_conforms_to_its_document_with_a_partner_key(served: Served, tmp_path: Path) -> None:
    request = urllib.request.Request(
        served.openapi_url.replace("openapi.json", "admin/services"),
        headers={"Authorization": f"Bearer {served.partner_key}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200  # the key works, so the run reaches past authentication
    # The coverage phase walks every boundary of every field of the large write bodies (minutes);
    # a longer run by hand includes it (see the README).
    result = _schemathesis(
        served,
        tmp_path,
        "--include-path-regex",
        "^/admin",
        "--header",
        f"Authorization: Bearer {served.partner_key}",
        "--phases",
        "examples,fuzzing,stateful",
    )
    _assert_passed(result)
