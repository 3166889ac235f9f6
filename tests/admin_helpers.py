"""Partners, keys and request helpers for the admin API tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from services_api.core.access import keys, partners
from services_api.core.actors import Actor
from services_api.db import get_session
from services_api.models import Organization, Partner, Role, TaxonomyTerm


@dataclass
class Admin:
    """Keys for the operator and two partners (each with its own organisation), and a client."""

    client: FlaskClient
    operator_key: str
    partner_id: uuid.UUID
    partner_key: str
    other_partner_id: uuid.UUID
    other_partner_key: str

    def headers(self, key: str, **extra: str) -> dict[str, str]:
        """Return the Authorization header for `key`, plus any others given."""
        return {"Authorization": f"Bearer {key}", **extra}

    def as_partner(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send a request with the first partner's key."""
        return self._send(self.partner_key, method, path, **kwargs)

    def as_other(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send a request with the second partner's key."""
        return self._send(self.other_partner_key, method, path, **kwargs)

    def as_operator(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send a request with the operator's key."""
        return self._send(self.operator_key, method, path, **kwargs)

    def _send(
        self, key: str, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Any:
        return self.client.open(
            f"/api/v1/admin{path}", method=method, headers=self.headers(key, **(headers or {})), **kwargs
        )


def make_admin(app: Flask) -> Admin:
    """Create two partners (on demo organisations when seeded) and keys for them and the operator."""
    secret = app.config["SECRET_KEY"]
    with app.app_context():
        session = get_session()
        organizations = list(session.scalars(select(Organization).order_by(Organization.name).limit(2)))
        cli = Actor.command_line()
        if len(organizations) == 2:
            first = partners.create_partner(
                session,
                actor=cli,
                name=organizations[0].name,
                email=None,
                organization_id=organizations[0].id,
            )
            second = partners.create_partner(
                session,
                actor=cli,
                name=organizations[1].name,
                email=None,
                organization_id=organizations[1].id,
            )
        else:
            first = partners.create_partner(session, actor=cli, name="First partner")
            second = partners.create_partner(session, actor=cli, name="Second partner")
        operator = keys.issue_key(session, secret, actor=cli, role=Role.OPERATOR).token
        partner_key = keys.issue_key(session, secret, actor=cli, role=Role.PARTNER, partner=first).token
        other_key = keys.issue_key(session, secret, actor=cli, role=Role.PARTNER, partner=second).token
        session.commit()
        return Admin(app.test_client(), operator, first.id, partner_key, second.id, other_key)


def term_id(app: Flask, code: str) -> str:
    """Return the id of the taxonomy term with this code."""
    with app.app_context():
        return str(get_session().scalars(select(TaxonomyTerm.id).where(TaxonomyTerm.code == code)).one())


def new_service(name: str = "Evening drop-in clinic", **fields: Any) -> dict[str, Any]:
    """Return a minimal service document as a partner would POST it."""
    return {
        "name": name,
        "description": "Sexual health checks without an appointment.",
        "status": "active",
        "phones": [{"number": "+44 20 7946 0000", "type": "voice"}],
        "schedules": [{"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "18:00", "closes_at": "21:00"}],
        **fields,
    }


def new_location(name: str = "Drop-in centre", **fields: Any) -> dict[str, Any]:
    """Return a physical location document in central London, as a partner would POST it."""
    return {
        "name": name,
        "location_type": "physical",
        "latitude": 51.5136,
        "longitude": -0.1365,
        "time_zone": "Europe/London",
        "addresses": [
            {
                "address_1": "12 Example Street",
                "city": "London",
                "state_province": "England",
                "postal_code": "W1D 3QU",
                "country": "GB",
                "address_type": "physical",
            }
        ],
        **fields,
    }


def partner_of(app: Flask, partner_id: uuid.UUID) -> Partner:
    """Return the partner row (detached) for assertions."""
    with app.app_context():
        return get_session().get_one(Partner, partner_id)
