"""Concurrent streams (ndjson, export) are capped per client and in all: 429 with Retry-After past the cap."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from services_api import create_app

STREAMS = ("/api/v1/services?format=ndjson", "/api/v1/service_at_locations?format=ndjson", "/api/v1/export")


@pytest.fixture
def limited(seeded_app: Flask) -> Iterator[Flask]:
    """The seeded directory served with one stream per client and two in all."""
    app = create_app(
        {
            "APP_ENV": "testing",
            "DATABASE_URL": seeded_app.config["DATABASE_URL"],
            "MAX_STREAMS": "2",
            "MAX_STREAMS_PER_CLIENT": "1",
        }
    )
    yield app
    app.extensions["db_engine"].dispose()


class Held:
    """A request answered on its own thread (as a server runs each), its stream left unread until ended."""

    def __init__(self, app: Flask, path: str, address: str, headers: dict[str, str] | None = None):
        self.opened, self.release = threading.Event(), threading.Event()
        self.status = 0
        self.headers: dict[str, str] = {}
        self.json: Any = None
        self.body = b""
        self.thread = threading.Thread(target=self._run, args=(app, path, address, headers or {}))
        self.thread.start()
        assert self.opened.wait(timeout=60)

    def _run(self, app: Flask, path: str, address: str, headers: dict[str, str]) -> None:
        client = app.test_client()
        response = client.get(path, buffered=False, environ_base={"REMOTE_ADDR": address}, headers=headers)
        self.status, self.headers = response.status_code, dict(response.headers)
        if response.is_json:
            self.json = response.get_json()
        self.opened.set()
        self.release.wait(timeout=60)
        self.body = response.get_data()  # read to its end (which frees its slot), then closed
        response.close()

    def end(self) -> Held:
        """Let the client read the stream to its end."""
        self.release.set()
        self.thread.join(timeout=60)
        return self


def _refused(held: Held) -> bool:
    held.end()
    assert set(held.json) == {"code", "status", "message", "errors"}
    assert int(held.headers["Retry-After"]) > 0
    return held.status == 429 and "streams" in held.json["message"]


def test_streams_past_a_clients_share_or_the_total_get_429_until_one_ends(limited: Flask) -> None:
    first = Held(limited, STREAMS[0], "192.0.2.1")
    assert first.status == 200
    for path in STREAMS:
        assert _refused(Held(limited, path, "192.0.2.1")), path
    second = Held(limited, STREAMS[2], "198.51.100.2")
    assert second.status == 200
    assert _refused(Held(limited, STREAMS[1], "203.0.113.3"))  # two streams run: the total is reached
    # An unchanged copy costs no stream: its 304 is answered even now; plain pages are never capped.
    conditional = Held(limited, STREAMS[2], "203.0.113.3", {"If-None-Match": second.headers["ETag"]})
    assert conditional.end().status == 304
    assert limited.test_client().get("/api/v1/services").status_code == 200
    assert first.end().body and second.end().body
    again = [Held(limited, STREAMS[1], "192.0.2.1"), Held(limited, STREAMS[0], "203.0.113.3")]
    assert [held.end().status for held in again] == [200, 200]
