"""Who is calling the admin API: a Bearer key checked in constant time; failed attempts are rate-limited."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, g, request

from ...core import keys
from ...core.audit import Actor
from ...db import begin_write, get_session
from ...models import Role
from .. import rate_limits
from ..errors import ApiError
from ..responses import answers

F = TypeVar("F", bound=Callable[..., Any])
CHALLENGE = 'Bearer realm="services_api admin"'
FAILED_LOGINS = "AUTH_FAILURE_LIMIT"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _unauthorized(message: str, error: str | None = None) -> ApiError:
    rate_limits.count(FAILED_LOGINS, "admin-auth")
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


def authenticate() -> Actor:
    """Return the actor behind the request's key, or raise 401/429."""
    rate_limits.refuse_if_exhausted(FAILED_LOGINS, "admin-auth")
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise _unauthorized("An API key is needed: send Authorization: Bearer <key>.")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("Send the key as Authorization: Bearer <key>.", "invalid_request")
    session = get_session()
    if request.method in WRITE_METHODS:
        begin_write(session)
    key = keys.authenticate(session, current_app.config["SECRET_KEY"], token.strip())
    if key is None:
        raise _unauthorized("This key is unknown, revoked, or its partner is deactivated.", "invalid_token")
    if keys.note_use(key) and request.method not in WRITE_METHODS:
        session.commit()
    return Actor(role=key.role, key_id=key.id, partner_id=key.partner_id, request_id=request_id())


def authenticated(method: F) -> F:
    """Run the resource method only for a valid key, with the actor in `g.actor`."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.actor = authenticate()
        return method(*args, **kwargs)

    return cast(F, wrapper)


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
