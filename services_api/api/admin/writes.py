"""What every admin write shares: JSON bodies, If-Match on versions, Idempotency-Key, commit or nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, g, request
from marshmallow import Schema
from sqlalchemy.exc import IntegrityError

from services_api.api.admin.auth import current_actor
from services_api.api.errors import ApiError
from services_api.core.errors import ConflictError
from services_api.core.limits import too_many_items
from services_api.db import get_session
from services_api.models import IdempotentResponse

ETAG_PREFIX = "v"


def etag_of(record: Any) -> str:
    """Return the quoted ETag of a versioned record."""
    return f'"{ETAG_PREFIX}{record.row_version}"'


def json_body() -> Any:
    """Return the JSON body; raise 415 (not JSON), 400 (malformed, too deep) or 422 (a list too long)."""
    if not request.is_json:
        raise ApiError(415, "Send the body as JSON with Content-Type: application/json.")
    try:
        body = current_app.json.loads(request.get_data(as_text=True) or "null")
    except ValueError as error:
        raise ApiError(400, f"The body is not valid JSON: {error}", {"body": [str(error)]}) from None
    too_long = too_many_items(body)
    if too_long:
        raise ApiError(422, f"The request has invalid fields: {', '.join(too_long)}", too_long)
    return body


def load_body(schema: Schema) -> dict[str, Any]:
    """Load the JSON body (an empty body is `{}`) with `schema`; 422 names each bad field."""
    body = json_body() if request.get_data() else {}
    loaded: dict[str, Any] = schema.load(body if body is not None else {})
    return loaded


def if_match_tags() -> list[str]:
    """Return the ETags the write's If-Match names; refuse a write without one (428)."""
    given = request.headers.get("If-Match")
    if not given:
        raise ApiError(
            428,
            "This write needs an If-Match header with the ETag you last read, so no one's edit is lost.",
            {"If-Match": ["Missing."]},
        )
    return [tag.strip().removeprefix("W/") for tag in given.split(",")]


def require_if_match(record: Any) -> None:
    """Refuse a write without If-Match (428) or carrying a version other than the stored one (412)."""
    if etag_of(record) not in if_match_tags():
        raise stale_version(record)
    answer_lost_race_with(record)


def stale_version(record: Any) -> ApiError:
    """The 412 answer: someone else changed the record since the client read it."""
    return ApiError(
        412,
        "The record changed since you read it; fetch it again and re-apply your edit.",
        {"If-Match": ["Does not match the current version."], "current_version": [str(record.row_version)]},
        headers={"ETag": etag_of(record)},
    )


def answer_lost_race_with(record: Any) -> None:
    """Have a lost race on `record`'s version (StaleDataError) answered with its current version."""
    g.lost_race_answer = lambda: _lost_race(record)


def _lost_race(record: Any) -> ApiError:
    session = get_session()
    session.rollback()
    session.refresh(record)
    return stale_version(record)


def commit(record: Any | None = None) -> None:
    """Commit the request's transaction; a lost race on `record`'s version gets its current version."""
    if record is not None:
        answer_lost_race_with(record)
    get_session().commit()


def respond(
    body: Any, status: int = 200, *, record: Any | None = None, location: str | None = None
) -> Response:
    """Build a JSON response with the record's ETag and, for a creation, its Location."""
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )
    if record is not None:
        response.headers["ETag"] = etag_of(record)
    if location:
        response.headers["Location"] = location
    return response


def request_fingerprint() -> str:
    """Hash what makes a request this request: its method, path, query parameters and body.

    A key is scoped to all of them, so a key used for a dry run (`?dry_run=true`) is not replayed
    for the real import, nor for another endpoint. The order of query parameters does not matter;
    without any, the hash is the one stored before query parameters counted, so those keys still
    replay.
    """
    target = request.path
    if request.args:
        target += "?" + urlencode(sorted(request.args.items(multi=True)))
    return hashlib.sha256(
        b"\n".join([request.method.encode(), target.encode(), request.get_data()])
    ).hexdigest()


def idempotent(handler: Callable[[], Response], record_of: Callable[[], Any] | None = None) -> Response:
    """Run a POST and commit it; with an Idempotency-Key, a retry of the same request gets the first response.

    The same key with another method, path, query parameters or body is refused (422). The stored
    response commits in the same transaction as the write, so a retry never creates twice.
    """
    key = request.headers.get("Idempotency-Key")
    if key is None:
        response = handler()
        commit(record_of() if record_of else None)
        return response
    if not key or len(key) > 255:
        raise ApiError(
            400, "Idempotency-Key must be 1 to 255 characters.", {"Idempotency-Key": ["Bad length."]}
        )
    actor = current_actor()
    fingerprint = request_fingerprint()
    session = get_session()
    stored = session.get(IdempotentResponse, (actor.key_id, key))
    if stored is not None:
        return _replay(stored, fingerprint)
    try:
        response = handler()
    except (ApiError, ConflictError, IntegrityError) as error:
        # A handler that writes late (a bulk import) may lose to a retry with the same key.
        if isinstance(error, ApiError) and error.code != 409:
            raise
        session.rollback()
        stored = session.get(IdempotentResponse, (actor.key_id, key))
        if stored is None:
            raise
        return _replay(stored, fingerprint)
    session.add(
        IdempotentResponse(
            actor_key_id=actor.key_id,
            key=key,
            request_fingerprint=fingerprint,
            status_code=response.status_code,
            body=response.get_data(as_text=True),
            headers={
                name: response.headers[name] for name in ("ETag", "Location") if name in response.headers
            },
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        stored = session.get(IdempotentResponse, (actor.key_id, key))
        if stored is None:
            raise ApiError(409, "This write conflicts with what is stored.") from None
        return _replay(stored, fingerprint)
    return response


def _replay(stored: IdempotentResponse, fingerprint: str) -> Response:
    if stored.request_fingerprint != fingerprint:
        raise ApiError(
            422,
            "This Idempotency-Key was used for a different request (another endpoint, other query "
            "parameters such as dry_run, or another body); use a new key for a new request.",
            {"Idempotency-Key": ["Used for a different request."]},
        )
    response = current_app.response_class(stored.body, status=stored.status_code, mimetype="application/json")
    response.headers.update(stored.headers)
    response.headers["Idempotent-Replayed"] = "true"
    return response
