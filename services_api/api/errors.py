"""One JSON error shape for every error: {code, status, message, errors}."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify
from flask_restx import Api
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException


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


def database_unavailable(_error: OperationalError) -> tuple[dict[str, Any], int]:
    """Answer 503 when the database cannot be reached; never leak its details."""
    return error_body(503, "The directory is temporarily unavailable; try again shortly."), 503


def lost_update(_error: StaleDataError) -> tuple[dict[str, Any], int]:
    """Answer 412 when a write lost a race to another writer of the same record."""
    return error_body(412, "The record changed while you were writing; read it again and retry."), 412


def clash(_error: IntegrityError) -> tuple[dict[str, Any], int]:
    """Answer 409 when a write breaks a database constraint before its commit (a missing or taken link)."""
    return error_body(409, "This write conflicts with what is stored (a duplicate or a missing link)."), 409


def register(app: Flask, api: Api) -> None:
    """Register the JSON error handlers on the app and on the flask-restx API."""
    app.register_error_handler(HTTPException, json_http_error)
    app.register_error_handler(OperationalError, lambda error: _as_response(*database_unavailable(error)))
    api.errorhandler(HTTPException)(_describe)
    api.errorhandler(OperationalError)(database_unavailable)
    api.errorhandler(StaleDataError)(lost_update)
    api.errorhandler(IntegrityError)(clash)


def _as_response(body: dict[str, Any], code: int) -> Response:
    response = jsonify(body)
    response.status_code = code
    return response
