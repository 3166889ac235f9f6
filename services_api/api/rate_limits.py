"""Per-client rate limits (failed admin logins, public reports), counted by the `limits` library.

The client is identified by an HMAC of its address under SECRET_KEY, kept only in the limit store for
the length of the window. The store is shared by every worker of the deployment: by default a SQLite
file under instance/ (see limit_store.py), or Redis when several machines serve the API; so a limit
means the same whichever worker answers.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import sqlite3
import time

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.errors import ConfigurationError, StorageError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from services_api import limit_store  # noqa: F401  (registers the sqlite:// scheme with `limits`)
from services_api.api.errors import ApiError
from services_api.config import ConfigError


def init_app(app: Flask) -> None:
    """Create the limiter over the configured store (RATELIMIT_STORAGE_URI); refuse an unknown one."""
    uri = app.config["RATELIMIT_STORAGE_URI"]
    try:
        storage = storage_from_string(uri, wrap_exceptions=True)
    except (ConfigurationError, OSError, sqlite3.Error) as error:
        raise ConfigError(f"RATELIMIT_STORAGE_URI cannot be used: {error}") from None
    app.extensions["rate_limiter"] = MovingWindowRateLimiter(storage)


def _limiter() -> MovingWindowRateLimiter:
    limiter: MovingWindowRateLimiter = current_app.extensions["rate_limiter"]
    return limiter


def _unavailable() -> ApiError:
    # Without its counters the API cannot tell whether a client is over its limit: refuse, briefly.
    return ApiError(503, "The directory is temporarily unavailable; try again shortly.")


def _client(*qualifiers: str) -> str:
    address = "\n".join([request.remote_addr or "unknown", *qualifiers]).encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), address, hashlib.sha256).hexdigest()[:32]


def _limit(name: str) -> RateLimitItem:
    return parse(current_app.config[name])


def too_many(name: str, scope: str, *qualifiers: str) -> ApiError:
    """Return the 429 for this client's limit `name`, with Retry-After until a slot frees."""
    try:
        reset_at = _limiter().get_window_stats(_limit(name), scope, _client(*qualifiers)).reset_time
    except StorageError:
        raise _unavailable() from None
    retry_after = max(1, math.ceil(reset_at - time.time()))
    return ApiError(
        429,
        "Too many requests from this client; try again later.",
        headers={"Retry-After": str(retry_after)},
    )


def exhausted(name: str, scope: str, *qualifiers: str) -> bool:
    """Return whether this client (with `qualifiers`, e.g. a key prefix) has used up the limit `name`."""
    try:
        return not _limiter().test(_limit(name), scope, _client(*qualifiers))
    except StorageError:
        raise _unavailable() from None


def refuse_if_exhausted(name: str, scope: str, *qualifiers: str) -> None:
    """Answer 429 with Retry-After when this client has used up the limit `name`."""
    if exhausted(name, scope, *qualifiers):
        raise too_many(name, scope, *qualifiers)


def take(name: str, scope: str, *qualifiers: str) -> bool:
    """Count one more event against this client's limit `name`; return False when it was full.

    One atomic step in the store, so that however many workers answer at once, exactly as many
    events as the limit allows get through.
    """
    try:
        return _limiter().hit(_limit(name), scope, _client(*qualifiers))
    except StorageError:
        raise _unavailable() from None
