"""Past one machine: two app instances, a PostgreSQL primary, a real streaming replica and Redis.

Public reads are served from the replica, a partner's writes and its own reads go to the primary,
a replica that lags or is down is skipped, and both instances count rate limits in one Redis.
The test makes its own primary and replica clusters (initdb, pg_basebackup) on free ports.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import select

from services_api import create_app
from services_api.core.access import keys, partners
from services_api.core.actors import Actor
from services_api.core.seeding.demo import seed_demo_directory, seed_taxonomies
from services_api.db import get_session, make_engine
from services_api.migrate import upgrade_to_head
from services_api.models import Organization, Role, Service

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL replicas: runs with TEST_DATABASE_URL"
)
ROOT = Path(__file__).resolve().parent.parent
SECRET = "replica-test-secret-key-of-enough-length-0123456789"
REDIS_DB = 13  # a database of the local Redis that only this test uses
DATABASE = "directory"


def _bin(name: str) -> str:
    versions = sorted(Path("/usr/lib/postgresql").iterdir(), key=lambda path: float(path.name))
    return str(versions[-1] / "bin" / name)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(*command: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True)


@dataclass
class Cluster:
    """A PostgreSQL cluster of the test's own: its folder and port."""

    folder: Path
    port: int

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        _as_postgres(_bin("pg_ctl"), "-D", str(self.folder), "-w", "-l", str(self.folder / "log"), "start")

    def stop(self) -> None:
        _as_postgres(_bin("pg_ctl"), "-D", str(self.folder), "-w", "-m", "fast", "stop")

    def sql(self, statement: str) -> str:
        return subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                DATABASE,
                "-qAtc",
                statement,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()


@pytest.fixture(scope="module")
def clusters() -> Iterator[tuple[Cluster, Cluster]]:
    """A primary with the demo directory and a streaming replica of it, both running."""
    folder = Path(tempfile.mkdtemp(prefix="services_api_replicas_"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    primary = Cluster(folder / "primary", _free_port())
    replica = Cluster(folder / "replica", _free_port())
    _as_postgres(_bin("initdb"), "-D", str(primary.folder), "--auth=trust", "-U", "postgres", "--no-sync")
    settings = (
        f"port = {primary.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{folder}'\n"
        "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nfsync = off\n"
    )
    with (primary.folder / "postgresql.conf").open("a") as conf:
        conf.write(settings)
    with (primary.folder / "pg_hba.conf").open("a") as hba:
        hba.write("host replication all 127.0.0.1/32 trust\n")
    primary.start()
    try:
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(primary.port),
                "-U",
                "postgres",
                "-qc",
                f"CREATE DATABASE {DATABASE}",
            ],
            check=True,
            capture_output=True,
        )
        _seed(primary.url())
        _as_postgres(
            _bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", str(replica.folder), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync",
        )  # fmt: skip
        with (replica.folder / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {replica.port}\n")
        replica.start()
        try:
            yield primary, replica
        finally:
            _stop_quietly(replica)
    finally:
        _stop_quietly(primary)
        shutil.rmtree(folder, ignore_errors=True)


def _stop_quietly(cluster: Cluster) -> None:
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped by the test
        cluster.stop()


def _seed(url: str) -> None:
    engine = make_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": url})
    with app.app_context():
        session = get_session()
        seed_taxonomies(session)
        seed_demo_directory(session)
        session.commit()
    app.extensions["db_engine"].dispose()


@dataclass
class Instance:
    """One app instance under gunicorn."""

    port: int
    process: subprocess.Popen[bytes]

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/v1{path}", data=data, method=method, headers=headers or {}
        )
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, dict(response.headers), json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read() or b"null")


def _serve(env: dict[str, str], log: Path) -> Instance:
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "-c",
        "python:services_api.gunicorn_config",
        "wsgi:app",
        "--graceful-timeout",
        "1",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**env, "PORT": str(port)}, stdout=output, stderr=subprocess.STDOUT
        )
    instance = Instance(port, process)
    deadline = time.monotonic() + 60
    while True:
        try:
            if instance.call("GET", "/")[0] == 200:
                return instance
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError(f"the app did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.3)


@dataclass
class Deployment:
    """Two instances over one primary, one replica and one Redis, and a partner's key."""

    primary: Cluster
    replica: Cluster
    first: Instance
    second: Instance
    partner_key: str
    service_id: str

    def as_partner(
        self, instance: Instance, method: str, path: str, **kwargs: Any
    ) -> tuple[int, dict[str, str], Any]:
        headers = {"Authorization": f"Bearer {self.partner_key}", **kwargs.pop("headers", {})}
        return instance.call(method, f"/admin{path}", headers=headers, **kwargs)


def _partner(url: str) -> tuple[str, str]:
    """A partner for the organisation of the first vetted demo service: its key and that service."""
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": SECRET})
    with app.app_context():
        session = get_session()
        service = session.scalars(
            select(Service).where(Service.vetting_status == "vetted").order_by(Service.name)
        ).first()
        assert service is not None
        organization = session.get_one(Organization, service.organization_id)
        cli = Actor.command_line()
        partner = partners.create_partner(
            session, actor=cli, name=organization.name, email=None, organization_id=organization.id
        )
        token = keys.issue_key(session, SECRET, actor=cli, role=Role.PARTNER, partner=partner).token
        session.commit()
        service_id = str(service.id)
    app.extensions["db_engine"].dispose()
    return token, service_id


def _until(check: Callable[[], bool], *, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


@pytest.fixture(scope="module")
def deployment(clusters: tuple[Cluster, Cluster]) -> Iterator[Deployment]:
    """Both instances running, the replica caught up with the partner's key."""
    primary, replica = clusters
    store = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    store.flushdb()
    token, service_id = _partner(primary.url())
    env = {
        key: value for key, value in os.environ.items() if key not in ("TEST_DATABASE_URL", "WEB_CONCURRENCY")
    }
    env.update(
        APP_ENV="production",
        SECRET_KEY=SECRET,
        DATABASE_URL=primary.url(),
        DATABASE_REPLICA_URLS=replica.url(),
        MAX_REPLICA_LAG_SECONDS="60",
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:6379/{REDIS_DB}",
        REPORT_LIMIT="3/hour",
        WEB_CONCURRENCY="1",
        WEB_THREADS="4",
    )
    logs = Path(tempfile.mkdtemp(prefix="services_api_instances_"))
    first = _serve(env, logs / "first.log")
    second = _serve(env, logs / "second.log")
    try:
        running = Deployment(primary, replica, first, second, token, service_id)
        # Wait until the replica answers, so that every read below is settled.
        assert _until(lambda: _public_description(second, service_id) != "")
        yield running
    finally:
        for instance in (first, second):
            instance.process.terminate()
            instance.process.wait(timeout=30)
        store.flushdb()
        shutil.rmtree(logs, ignore_errors=True)


def _pause_replay(deployment: Deployment) -> None:
    """Pause the replica right after it replayed a fresh commit, so its lag counts from now."""
    deployment.primary.sql("SELECT txid_current()")  # a commit, replayed with its time
    position = deployment.primary.sql("SELECT pg_current_wal_lsn()")
    assert _until(
        lambda: deployment.replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{position}'::pg_lsn") == "t"
    )
    deployment.replica.sql("SELECT pg_wal_replay_pause()")


def _shows(instance: Instance, service_id: str, description: str) -> bool:
    return _public_description(instance, service_id) == description


def _public_description(instance: Instance, service_id: str) -> str:
    status, _headers, body = instance.call("GET", f"/services/{service_id}")
    assert status == 200, body
    return str(body["description"])


def _change_description(deployment: Deployment, text: str) -> None:
    status, headers, _body = deployment.as_partner(
        deployment.first, "GET", f"/services/{deployment.service_id}"
    )
    assert status == 200
    status, _headers, body = deployment.as_partner(
        deployment.first,
        "PATCH",
        f"/services/{deployment.service_id}",
        body={"description": text},
        headers={"If-Match": headers["ETag"]},
    )
    assert status == 200, body


def test_public_reads_come_from_the_replica_and_a_partner_reads_its_own_writes(
    deployment: Deployment,
) -> None:
    before = _public_description(deployment.first, deployment.service_id)
    _pause_replay(deployment)
    try:
        _change_description(deployment, "Open late on Fridays from now on.")
        # The partner, on either instance, sees its change at once: admin reads go to the primary.
        for instance in (deployment.first, deployment.second):
            status, _headers, own = deployment.as_partner(
                instance, "GET", f"/services/{deployment.service_id}"
            )
            assert status == 200 and own["description"] == "Open late on Fridays from now on."
        # The public, on either instance, reads the replica, which has not replayed the change yet.
        for instance in (deployment.first, deployment.second):
            assert _public_description(instance, deployment.service_id) == before
    finally:
        deployment.replica.sql("SELECT pg_wal_replay_resume()")
    for instance in (deployment.first, deployment.second):
        assert _until(partial(_shows, instance, deployment.service_id, "Open late on Fridays from now on."))


def test_rate_limits_are_counted_once_across_both_instances(deployment: Deployment) -> None:
    path = f"/services/{deployment.service_id}/reports"
    answers = [
        instance.call("POST", path, body={"kind": "other", "message": "The phone number is wrong."})[0]
        for instance in (deployment.first, deployment.second, deployment.first, deployment.second)
    ]
    assert answers == [201, 201, 201, 429]


def test_a_lagging_replica_is_skipped(deployment: Deployment) -> None:
    url, replica_url = deployment.primary.url(), deployment.replica.url()
    strict = create_app(
        {
            "APP_ENV": "testing",
            "SECRET_KEY": SECRET,
            "DATABASE_URL": url,
            "DATABASE_REPLICA_URLS": replica_url,
            "MAX_REPLICA_LAG_SECONDS": "1",
        }
    )
    client = strict.test_client()
    _pause_replay(deployment)
    try:
        _change_description(deployment, "Now with a nurse on Tuesdays.")
        time.sleep(2.5)  # past the lag allowed and past the last check of the replica
        # The instances allow a minute of lag and still read the paused replica; the strict app does not.
        assert _public_description(deployment.first, deployment.service_id) != "Now with a nurse on Tuesdays."
        assert client.get(f"/api/v1/services/{deployment.service_id}").get_json()["description"] == (
            "Now with a nurse on Tuesdays."
        )
    finally:
        deployment.replica.sql("SELECT pg_wal_replay_resume()")
        strict.extensions["db_engine"].dispose()
        strict.extensions["db_replicas"].dispose()


def test_a_replica_that_is_down_is_skipped_and_reads_go_on(deployment: Deployment) -> None:
    assert _until(
        lambda: (
            _public_description(deployment.first, deployment.service_id) == "Now with a nurse on Tuesdays."
        )
    )
    deployment.replica.stop()
    try:
        for instance in (deployment.first, deployment.second, deployment.first, deployment.second):
            assert _public_description(instance, deployment.service_id) == "Now with a nurse on Tuesdays."
        _change_description(deployment, "Closed on bank holidays.")
        assert _public_description(deployment.second, deployment.service_id) == "Closed on bank holidays."
    finally:
        deployment.replica.start()
