"""No lost updates under concurrent writers, and POST retries that create nothing twice."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.admin_helpers import Admin, make_admin, new_service

WRITERS = 20


@pytest.fixture
def server(seeded_app: Flask) -> Iterator[tuple[str, Admin]]:
    """The app served over HTTP on 127.0.0.1 by a threaded server, as partners' apps reach it."""
    admin = make_admin(seeded_app)
    httpd = make_server("127.0.0.1", 0, seeded_app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/api/v1/admin", admin
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def send(
    url: str, method: str, key: str, body: Any = None, **headers: str
) -> tuple[int, dict[str, str], Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {key}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in headers.items():
        request.add_header(name.replace("_", "-"), value)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_twenty_concurrent_updates_with_one_etag_let_exactly_one_win(server: tuple[str, Admin]) -> None:
    base, admin = server
    status, headers, service = send(f"{base}/services", "POST", admin.partner_key, new_service())
    assert status == 201
    etag = headers["ETag"]
    bodies = [
        {"name": f"Writer {index}", "description": f"Written by writer {index}."} for index in range(WRITERS)
    ]
    barrier = threading.Barrier(WRITERS)

    def write(body: dict[str, str]) -> tuple[int, dict[str, str]]:
        barrier.wait()
        code, _headers, _answer = send(
            f"{base}/services/{service['id']}", "PATCH", admin.partner_key, body, If_Match=etag
        )
        return code, body

    with ThreadPoolExecutor(WRITERS) as pool:
        outcomes = list(pool.map(write, bodies))
    codes = sorted(code for code, _ in outcomes)
    assert codes == [200] + [412] * (WRITERS - 1)
    winner = next(body for code, body in outcomes if code == 200)
    _status, _headers, stored = send(f"{base}/services/{service['id']}", "GET", admin.partner_key)
    assert (stored["name"], stored["description"]) == (winner["name"], winner["description"])
    assert stored["version"] > service["version"]
    _status, _headers, audit = send(
        f"{base}/audit?entity_id={service['id']}&action=update", "GET", admin.operator_key
    )
    assert audit["total_items"] == 1


def test_a_retried_post_with_the_same_key_creates_nothing_twice(server: tuple[str, Admin]) -> None:
    base, admin = server
    body = new_service("Retried on a flaky network")
    first = send(f"{base}/services", "POST", admin.partner_key, body, Idempotency_Key="create-42")
    retries = [
        send(f"{base}/services", "POST", admin.partner_key, body, Idempotency_Key="create-42")
        for _ in range(3)
    ]
    assert first[0] == 201
    for status, headers, answer in retries:
        assert status == 201
        assert answer == first[2]
        assert headers["Location"] == first[1]["Location"]
        assert headers["Idempotent-Replayed"] == "true"
    _status, _headers, own = send(f"{base}/services?per_page=100", "GET", admin.partner_key)
    assert [item["name"] for item in own["contents"]].count("Retried on a flaky network") == 1

    other = send(
        f"{base}/services",
        "POST",
        admin.partner_key,
        new_service("Something else"),
        Idempotency_Key="create-42",
    )
    assert other[0] == 422
    assert "Idempotency-Key" in other[2]["errors"]
    same_key_other_partner = send(
        f"{base}/services", "POST", admin.other_partner_key, body, Idempotency_Key="create-42"
    )
    assert same_key_other_partner[0] == 201
    assert same_key_other_partner[2]["id"] != first[2]["id"]


def test_concurrent_retries_with_one_idempotency_key_create_one_record(server: tuple[str, Admin]) -> None:
    base, admin = server
    body = new_service("Sent five times at once")
    barrier = threading.Barrier(5)

    def post(_index: int) -> tuple[int, Any]:
        barrier.wait()
        status, _headers, answer = send(
            f"{base}/services", "POST", admin.partner_key, body, Idempotency_Key="burst"
        )
        return status, answer

    with ThreadPoolExecutor(5) as pool:
        outcomes = list(pool.map(post, range(5)))
    assert {status for status, _ in outcomes} == {201}
    assert len({answer["id"] for _, answer in outcomes}) == 1
    _status, _headers, own = send(f"{base}/services?per_page=100", "GET", admin.partner_key)
    assert [item["name"] for item in own["contents"]].count("Sent five times at once") == 1
