"""Per-client rate limits (failed admin logins, public reports), counted by the `limits` library.

The client is identified by an HMAC of its address under SECRET_KEY, kept only in the limit
store (memory, or Redis shared by every app process) for the length of the window.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from .errors import ApiError


def init_app(app: Flask) -> None:
    """Create the limiter over the configured store (RATELIMIT_STORAGE_URI)."""
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions["rate_limiter"] = MovingWindowRateLimiter(storage)


def _client() -> str:
    address = (request.remote_addr or "unknown").encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), address, hashlib.sha256).hexdigest()[:32]


def _limit(name: str) -> RateLimitItem:
    return parse(current_app.config[name])


def refuse_if_exhausted(name: str, scope: str) -> None:
    """Answer 429 with Retry-After when this client has used up the limit `name`."""
    limiter: MovingWindowRateLimiter = current_app.extensions["rate_limiter"]
    item = _limit(name)
    client = _client()
    if limiter.test(item, scope, client):
        return
    reset_at = limiter.get_window_stats(item, scope, client).reset_time
    retry_after = max(1, math.ceil(reset_at - time.time()))
    raise ApiError(
        429,
        "Too many requests from this client; try again later.",
        headers={"Retry-After": str(retry_after)},
    )


def count(name: str, scope: str) -> None:
    """Count one more event against this client's limit `name`."""
    limiter: MovingWindowRateLimiter = current_app.extensions["rate_limiter"]
    limiter.hit(_limit(name), scope, _client())
