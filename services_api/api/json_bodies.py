"""Every JSON request body is parsed here: one nested too deep is refused before a parser recurses."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from services_api.api.errors import ApiError
from services_api.core.limits import MAX_JSON_DEPTH, json_too_deep


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, refusing (400) text nested more than MAX_JSON_DEPTH levels deep."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse JSON text, after checking how deep it nests."""
        if json_too_deep(s):
            message = f"The body nests arrays and objects more than {MAX_JSON_DEPTH} levels deep."
            raise ApiError(400, message, {"body": [message]})
        return super().loads(s, **kwargs)


def init_app(app: Flask) -> None:
    """Make the app parse every request's JSON through the bounded provider."""
    provider = BoundedJSONProvider(app)
    provider.sort_keys = app.json.sort_keys  # type: ignore[attr-defined]
    app.json = provider
