"""Who is calling the admin API: a Bearer key checked in constant time; failed attempts are rate-limited.

Failures are counted per client address (AUTH_FAILURE_LIMIT), and also per address and key prefix.
A client over its limit gets 429 for every failed attempt instead of 401, but a correct key still
gets in: someone else's bad or revoked key on a shared address (an office, a proxy without
TRUSTED_PROXY_COUNT) locks nobody else out. Guessing stays limited: no answer tells a guess that
fails from one over the limit, and once a key's own prefix has had AUTH_FAILURE_LIMIT failures from an
address, that address gets 429 for the prefix without the key being checked at all.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, g, request

from services_api.api import rate_limits
from services_api.api.errors import ApiError
from services_api.api.responses import answers
from services_api.core.access import keys
from services_api.core.actors import Actor
from services_api.db import begin_write, get_session
from services_api.models import Role

F = TypeVar("F", bound=Callable[..., Any])
CHALLENGE = 'Bearer realm="services_api admin"'
FAILED_LOGINS = "AUTH_FAILURE_LIMIT"
BY_ADDRESS = "admin-auth"
BY_KEY_PREFIX = "admin-auth-key"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PREPARES_FIRST = "prepares_before_writing"


def _refused(message: str, error: str | None = None, prefix: str | None = None) -> ApiError:
    """Count a failed attempt; return its 401, or a 429 once this client is over the limit."""
    if prefix is not None:
        rate_limits.take(FAILED_LOGINS, BY_KEY_PREFIX, prefix)
    if not rate_limits.take(FAILED_LOGINS, BY_ADDRESS):
        return rate_limits.too_many(FAILED_LOGINS, BY_ADDRESS)
    challenge = f'{CHALLENGE}, error="{error}"' if error else CHALLENGE
    return ApiError(401, message, headers={"WWW-Authenticate": challenge})


def request_id() -> str:
    """Return this request's id (the client's X-Request-Id when sane, else a new one)."""
    if "request_id" not in g:
        given = request.headers.get("X-Request-Id", "")
        g.request_id = (
            given if given.isascii() and 0 < len(given) <= 64 and given.isprintable() else str(uuid.uuid4())
        )
    return str(g.request_id)


def authenticate(*, lock_first: bool = True) -> Actor:
    """Return the actor behind the request's key, or raise 401/429.

    A write takes SQLite's write lock before it reads, unless `lock_first` is false: then the
    endpoint reads and prepares everything before its first write (a bulk import), and the key's
    use is committed at once so that no pending write opens the write transaction early.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if not header:
        raise _refused("An API key is needed: send Authorization: Bearer <key>.")
    if scheme.lower() != "bearer" or not token:
        raise _refused("Send the key as Authorization: Bearer <key>.", "invalid_request")
    prefix = keys.public_prefix(token)
    if prefix is not None:
        rate_limits.refuse_if_exhausted(FAILED_LOGINS, BY_KEY_PREFIX, prefix)
    session = get_session()
    locks = request.method in WRITE_METHODS and lock_first
    if locks:
        begin_write(session)
    key = keys.authenticate(session, current_app.config["SECRET_KEY"], token=token)
    if key is None:
        message = "This key is unknown, revoked, or its partner is deactivated."
        raise _refused(message, "invalid_token", prefix)
    if keys.note_use(key) and not locks:
        session.commit()
    return Actor(role=key.role, key_id=key.id, partner_id=key.partner_id, request_id=request_id())


def authenticated(method: F) -> F:
    """Run the resource method only for a valid key, with the actor in `g.actor`."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.actor = authenticate(lock_first=not getattr(method, PREPARES_FIRST, False))
        return method(*args, **kwargs)

    return cast(F, wrapper)


def prepares_before_writing(method: F) -> F:
    """Mark a write endpoint that reads and prepares everything before its first write (no early lock)."""
    setattr(method, PREPARES_FIRST, True)
    return method


def current_actor() -> Actor:
    """Return the actor of this admin request."""
    actor: Actor = g.actor
    return actor


def operator_only(method: F) -> F:
    """Refuse a partner key with 403 (the endpoint belongs to the operator)."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_actor().role != Role.OPERATOR.value:
            raise ApiError(403, "Only the operator may do this.")
        return method(*args, **kwargs)

    return cast(F, answers(403)(wrapper))
