"""How many streams (ndjson syncs, exports) may run at once: per client and in all, on one machine.

A stream holds a worker thread for as long as it runs, so without a cap a few clients could take
every thread and stall the API for everyone. A running stream holds a slot: an exclusive lock
(`flock`) on one of a fixed set of empty files, shared by every worker process of the deployment on
this machine (the folder is named after the database). The kernel drops the lock when the stream
ends or its process dies, so no count can leak. A client is known by an HMAC of its address under
SECRET_KEY, folded into one of CLIENT_BUCKETS file names: no address is written anywhere.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from flask import Flask, current_app, request

from services_api.api.errors import ApiError

RETRY_AFTER_SECONDS = 30
CLIENT_BUCKETS = 1024


class StreamSlots:
    """Fixed sets of lock files: `total` slots for everyone, `per_client` for each client bucket."""

    def __init__(self, folder: Path, *, total: int, per_client: int):
        self.folder = folder
        self.total = total
        self.per_client = per_client
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)

    def take(self, client_bucket: int) -> Callable[[], None] | None:
        """Hold one of the client's slots and one of the overall slots; return their release, or None."""
        mine = self._lock(f"client-{client_bucket:04d}", self.per_client)
        if mine is None:
            return None
        shared = self._lock("all", self.total)
        if shared is None:
            mine.close()
            return None

        def release() -> None:
            shared.close()
            mine.close()

        return release

    def _lock(self, name: str, count: int) -> IO[bytes] | None:
        for index in range(count):
            handle = (self.folder / f"{name}-{index}.lock").open("ab")
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            return handle  # closing it (or its garbage collection) releases the lock
        return None


def init_app(app: Flask) -> None:
    """Create the slots of this deployment, from MAX_STREAMS and MAX_STREAMS_PER_CLIENT."""
    deployment = hashlib.sha256(app.config["DATABASE_URL"].encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"services_api-streams-{deployment}"
    app.extensions["stream_slots"] = StreamSlots(
        folder, total=app.config["MAX_STREAMS"], per_client=app.config["MAX_STREAMS_PER_CLIENT"]
    )


def take_stream_slot() -> Callable[[], None]:
    """Hold a stream slot for this client, or answer 429 with Retry-After; return the slot's release."""
    slots: StreamSlots = current_app.extensions["stream_slots"]
    address = (request.remote_addr or "unknown").encode()
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), address, hashlib.sha256).digest()
    release = slots.take(int.from_bytes(digest[:4], "big") % CLIENT_BUCKETS)
    if release is None:
        raise ApiError(
            429,
            "Too many streams (format=ndjson or export) running at once; try again when one has finished.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return release
