"""The admin namespace, its resource base class, and helpers shared by its endpoints."""

from __future__ import annotations

import uuid

from flask_restx import Namespace, Resource

from services_api.api.admin.auth import authenticated
from services_api.api.errors import ApiError
from services_api.api.public.common import public_view
from services_api.api.responses import ADMIN, responses
from services_api.core.directory.visibility import PublicView

ns = Namespace(
    "admin",
    description="Partners keep their own listings current; the operator vets, moderates and audits. "
    "Every call needs Authorization: Bearer <key>.",
    security="bearer",
)


class AdminResource(Resource):
    """A resource that answers only to a valid key."""

    method_decorators = [authenticated]
    __apidoc__ = {"security": "bearer", **responses(*ADMIN)}


def admin_view() -> PublicView:
    """Return the public view admin output measures `public` and `stale` against."""
    return public_view()


def path_id(value: str) -> uuid.UUID:
    """Parse a path id, answering 404 (not 400) for a malformed one: nothing by that id exists."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ApiError(404, "No record has this id.") from None
