"""The README's admin walkthrough ("A partner's first day") runs as written and prints what it says.

Its shell block is run by bash, line for line as the README has it (only the port differs), in a
folder holding nothing but the project's `.venv`, against gunicorn started as `make run` starts it
(`init-db`, then gunicorn in development) on a copy of the demo directory. Each `#>` line of the
block is what the command before it prints (`...` standing for ids and dates); a command without
one prints nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MARKER = "@@ step done @@"

pytestmark = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE_URL") is not None,
    reason="the walkthrough runs on make run's SQLite database",
)


def walkthrough() -> str:
    """Return the shell block of the README's "A partner's first day"."""
    section = README.read_text(encoding="utf-8").split("### A partner's first day", 1)[1]
    return section.split("```sh\n", 1)[1].split("\n```", 1)[0]


def steps(block: str) -> list[tuple[str, list[str]]]:
    """Split the block into (commands, the lines they print), cut after each `#>` group and blank line."""
    found: list[tuple[str, list[str]]] = []
    commands: list[str] = []
    printed: list[str] = []
    for line in [*block.splitlines(), ""]:
        if line.startswith("#>"):
            printed.append(line[2:].strip())
            continue
        if printed or (not line.strip() and commands):
            found.append(("\n".join(commands), printed))
            commands, printed = [], []
        if line.strip():
            commands.append(line)
    return [step for step in found if step[0].strip()]


def _matches(pattern: str, line: str) -> bool:
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("...")), line) is not None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(templates: dict[str, Path], tmp_path: Path) -> Iterator[tuple[int, dict[str, str], Path]]:
    """Serve a copy of the demo directory as `make run` does; yield the port, the environment and a folder."""
    instance = tmp_path / "instance"
    instance.mkdir()
    shutil.copy(templates["seeded"], instance / "services_api.db")
    port = _free_port()
    # A fresh terminal's environment: none of the tests' settings, the instance folder of this copy.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("APP_ENV", "SECRET_KEY", "DATABASE_URL")
    }
    env["INSTANCE_PATH"] = str(instance)
    bin_dir = Path(sys.executable).parent
    make_run = {**env, "APP_ENV": "development", "PORT": str(port)}
    make_run.pop("WEB_CONCURRENCY", None)
    subprocess.run(
        [str(bin_dir / "flask"), "--app", "services_api", "init-db"],
        cwd=ROOT,
        env=make_run,
        check=True,
        capture_output=True,
    )
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "-c", "python:services_api.gunicorn_config", "wsgi:app"],
        cwd=ROOT,
        env=make_run,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        clone = tmp_path / "clone"
        clone.mkdir()
        (clone / ".venv").symlink_to(bin_dir.parent)
        yield port, env, clone
    finally:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: nothing is left to finish
        server.wait(timeout=30)
        log.close()


def test_the_walkthrough_has_commands_and_outputs() -> None:
    found = steps(walkthrough())
    assert len(found) >= 5 and sum(1 for _commands, printed in found if printed) >= 4
    assert "jq" not in re.findall(r"[\w.-]+", walkthrough()), "jq is not installed by the project"


def test_the_readme_walkthrough_runs_as_written(served: tuple[int, dict[str, str], Path]) -> None:
    port, env, clone = served
    found = steps(walkthrough())
    script = "set -euo pipefail\n" + "".join(f"{commands}\necho '{MARKER}'\n" for commands, _printed in found)
    script = script.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    result = subprocess.run(
        ["bash", "-c", script], cwd=clone, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    outputs = result.stdout.split(MARKER + "\n")
    assert len(outputs) == len(found) + 1 and outputs[-1] == "", result.stdout
    for (commands, printed), output in zip(found, outputs, strict=False):
        lines = output.splitlines()
        assert len(lines) == len(printed), f"{commands}\nprinted:\n{output}"
        for pattern, line in zip(printed, lines, strict=True):
            assert _matches(pattern, line), f"{commands}\nprinted {line!r}, the README says {pattern!r}"
