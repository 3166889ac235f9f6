"""One JSON error shape for every error ({code, status, message, errors}), registered once for the app.

Handlers raise (a core error, an ApiError, or whatever the database or marshmallow raise) and never
translate; each kind gets its status code here, and a refused write is rolled back here.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, Response, g, jsonify
from flask_restx import Api
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from services_api.core import errors
from services_api.db import get_session

STATUS_OF: dict[type[errors.DomainError], int] = {
    errors.BadParameterError: 400,
    errors.ForbiddenError: 403,
    errors.NotFoundError: 404,
    errors.ConflictError: 409,
    errors.PreconditionError: 412,
    errors.TooLargeError: 413,
    errors.InvalidError: 422,
}


class ApiError(HTTPException):
    """An error the client can act on, with per-field details in `errors`."""

    def __init__(
        self,
        code: int,
        message: str,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(description=message)
        self.code = code
        self.errors = errors or {}
        self.extra_headers = headers or {}


def error_body(code: int, message: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the JSON body every error response carries."""
    return {"code": code, "status": HTTPStatus(code).phrase, "message": message, "errors": errors or {}}


def _describe(error: HTTPException) -> tuple[dict[str, Any], int, dict[str, str]]:
    code = error.code or 500
    if code >= 500:
        message = "The server could not complete the request; it has been logged."
    else:
        message = error.description or HTTPStatus(code).phrase
    headers = dict(getattr(error, "extra_headers", {}))
    if code == 405 and error.response is None:
        allowed = error.get_headers().copy()
        headers.update({key: value for key, value in allowed if key == "Allow"})
    return error_body(code, message, getattr(error, "errors", None)), code, headers


def json_http_error(error: HTTPException) -> Response:
    """Turn an HTTP error raised outside the API's resources into the JSON error shape."""
    body, code, headers = _describe(error)
    response = jsonify(body)
    response.status_code = code
    response.headers.update(headers)
    return response


def refused(error: errors.DomainError) -> tuple[dict[str, Any], int]:
    """Answer a request the domain refused with its kind's status, rolling back what it wrote."""
    _roll_back()
    code = next((STATUS_OF[kind] for kind in type(error).__mro__ if kind in STATUS_OF), 400)
    return error_body(code, error.message, error.problems), code


def invalid_input(error: ValidationError) -> tuple[dict[str, Any], int]:
    """Answer 422 for input a schema refused (schemas for queries and bodies raise core errors instead)."""
    _roll_back()
    messages = error.normalized_messages()
    return error_body(422, f"The request has invalid fields: {', '.join(sorted(messages))}", messages), 422


def database_unavailable(_error: OperationalError) -> tuple[dict[str, Any], int]:
    """Answer 503 when the database cannot be reached; never leak its details."""
    return error_body(503, "The directory is temporarily unavailable; try again shortly."), 503


def lost_update(_error: StaleDataError) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Answer 412 when a write lost a race to another writer of the same record."""
    answer = g.pop("lost_race_answer", None)
    if answer is not None:
        return _describe(answer())
    _roll_back()
    return error_body(412, "The record changed while you were writing; read it again and retry."), 412, {}


def clash(_error: IntegrityError) -> tuple[dict[str, Any], int]:
    """Answer 409 when a write breaks a database constraint before its commit (a missing or taken link)."""
    _roll_back()
    return error_body(409, "This write conflicts with what is stored (a duplicate or a missing link)."), 409


def register(app: Flask, api: Api) -> None:
    """Register the JSON error handlers on the app and on the flask-restx API."""
    app.register_error_handler(HTTPException, json_http_error)
    app.register_error_handler(OperationalError, lambda error: _as_response(*database_unavailable(error)))
    api.errorhandler(HTTPException)(_describe)
    api.errorhandler(errors.DomainError)(refused)
    api.errorhandler(ValidationError)(invalid_input)
    api.errorhandler(OperationalError)(database_unavailable)
    api.errorhandler(StaleDataError)(lost_update)
    api.errorhandler(IntegrityError)(clash)


def _roll_back() -> None:
    get_session().rollback()


def _as_response(body: dict[str, Any], code: int) -> Response:
    response = jsonify(body)
    response.status_code = code
    return response
