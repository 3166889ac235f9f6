"""The flask commands and the server `make run` starts sign keys with the same secret, or say so.

`make run` serves in development, which reads the secret kept in instance/. A command run without
the server's settings used to end in a traceback, and one run with a hand-set SECRET_KEY issued keys
the server then refused.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from services_api import create_app
from services_api.core.access import keys
from services_api.db import get_session

ROOT = Path(__file__).resolve().parents[1]
HAND_SET = "a-secret-typed-by-hand-that-is-long-enough-for-production"

pytestmark = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE_URL") is not None,
    reason="the secret is read the same way on every database (make run's SQLite file here)",
)


def _development_app(templates: dict[str, Path], instance: Path, **settings: str) -> Flask:
    instance.mkdir(exist_ok=True)
    database = instance / "services_api.db"
    if not database.exists():
        shutil.copy(templates["empty"], database)
    return create_app({"APP_ENV": "development", "INSTANCE_PATH": str(instance), **settings})


def test_a_command_without_the_servers_settings_says_what_to_set_in_one_line(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("APP_ENV", "SECRET_KEY")}
    flask = Path(sys.executable).with_name("flask")
    result = subprocess.run(
        [str(flask), "--app", "services_api", "keys", "list"],
        cwd=tmp_path,
        env={**env, "INSTANCE_PATH": str(tmp_path / "instance")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "SECRET_KEY is required in production" in result.stderr
    assert "APP_ENV=development" in result.stderr and "dev_secret_key" in result.stderr


def test_a_key_issued_with_the_development_settings_is_accepted_by_the_server(
    templates: dict[str, Path], tmp_path: Path
) -> None:
    instance = tmp_path / "instance"
    command = _development_app(templates, instance)
    issued = command.test_cli_runner().invoke(args=["keys", "issue", "--operator"])
    assert issued.exit_code == 0, issued.output
    server = _development_app(templates, instance)
    with server.app_context():
        token = issued.output.strip()
        assert keys.authenticate(get_session(), server.config["SECRET_KEY"], token=token) is not None
    answer = server.test_client().get(
        "/api/v1/admin/review_queue", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200


def test_a_hand_set_secret_that_the_server_would_refuse_issues_no_key(
    templates: dict[str, Path], tmp_path: Path
) -> None:
    instance = tmp_path / "instance"
    _development_app(templates, instance)  # the server: it keeps its secret under instance/
    for environment in ("development", "production"):
        command = _development_app(templates, instance, APP_ENV=environment, SECRET_KEY=HAND_SET)
        refused = command.test_cli_runner().invoke(args=["keys", "issue", "--operator"])
        assert refused.exit_code == 1
        assert "would refuse this key" in refused.output and "dev_secret_key" in refused.output
        with command.app_context():
            assert keys.list_keys(get_session()) == []
