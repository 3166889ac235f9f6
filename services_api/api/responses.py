"""Document what an operation can answer besides success: each status once, in the one error shape.

Every operation lists its statuses with `@answers(400, 404, ...)` (on a resource class: for each of
its methods), so the OpenAPI document names each status a client can get and
schemathesis can check the API against it. A new status is a new entry in `DESCRIPTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask_restx import SchemaModel
from flask_restx.utils import merge

T = TypeVar("T")

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error: the status, a message naming the problem, and the problems by field.",
    "required": ["code", "status", "message", "errors"],
    "properties": {
        "code": {"type": "integer", "description": "The HTTP status code."},
        "status": {"type": "string", "description": "The status code's phrase."},
        "message": {"type": "string", "description": "What went wrong, for a person."},
        "errors": {
            "type": "object",
            "description": "The problems by field, parameter, header, JSON pointer or row.",
        },
    },
}
ERROR = SchemaModel("Error", ERROR_SCHEMA)

DESCRIPTIONS: dict[int, str] = {
    304: "Not modified: the copy whose ETag was sent in If-None-Match is current (no body)",
    400: "A query parameter, path id, header or the JSON syntax of the body is invalid",
    401: "No key, or an unknown, revoked or deactivated one (see WWW-Authenticate)",
    403: "This key may not do this (the operator's key is needed)",
    404: "No record with this id that you may see",
    409: "Not possible in the record's current state, or it clashes with what is stored",
    412: "The record changed since you read it (If-Match does not match its ETag)",
    413: "The request is too large (MAX_REQUEST_BYTES, or a size or count cap of its content)",
    415: "The body is not of a media type this operation reads",
    422: "A field of the body (or a value given) is invalid; `errors` names each one",
    428: "This write needs If-Match with the ETag you last read",
    429: "Too many requests from this client; see Retry-After",
}
HEADERS: dict[int, dict[str, dict[str, str]]] = {
    401: {"WWW-Authenticate": {"type": "string", "description": "The Bearer challenge."}},
    412: {"ETag": {"type": "string", "description": "The record's current version."}},
    429: {"Retry-After": {"type": "integer", "description": "Seconds until the client may try again."}},
}

# The statuses that whole families of operations share.
CONDITIONAL_GET = (304,)
PUBLIC_LIST = (304, 400)
ADMIN = (401, 429)
JSON_BODY = (400, 413, 415, 422)
VERSIONED_WRITE = (404, 409, 412, 428)

Code = int | tuple[int, str]


def responses(*codes: Code) -> dict[str, Any]:
    """Return the `responses` entry of a restx doc for these statuses; `(code, text)` overrides the text."""
    documented: dict[str, Any] = {}
    for entry in codes:
        code, description = entry if isinstance(entry, tuple) else (entry, DESCRIPTIONS[entry])
        model = None if code == 304 else ERROR
        headers = HEADERS.get(code)
        documented[str(code)] = (description, model, {"headers": headers} if headers else {})
    return {"responses": documented}


def answers(*codes: Code) -> Callable[[T], T]:
    """Document the statuses an operation (or each operation of a resource class) can answer."""

    def document(target: T) -> T:
        target.__apidoc__ = merge(getattr(target, "__apidoc__", {}), responses(*codes))  # type: ignore[attr-defined]
        return target

    return document
