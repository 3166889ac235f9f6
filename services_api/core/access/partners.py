"""Partner organisations, managed by the operator; a deactivated partner's keys stop working."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_api.core import field_rules
from services_api.core.actors import Actor
from services_api.core.errors import InvalidFieldsError, NotAllowedError
from services_api.core.listings.audit import field_changes, record_event
from services_api.models import Organization, Partner, utcnow


def partner_fields(partner: Partner) -> dict[str, Any]:
    """Return the audited fields of a partner."""
    return {
        "name": partner.organization.name,
        "email": partner.email,
        "active": partner.active,
        "deactivated_at": partner.deactivated_at,
    }


def create_partner(
    session: Session,
    *,
    actor: Actor,
    name: str,
    email: str | None = None,
    organization_id: uuid.UUID | None = None,
) -> Partner:
    """Make an organisation a partner (creating the organisation unless `organization_id` names one).

    Raises InvalidFieldsError for an unknown organisation, NotAllowedError when it is a partner already.
    """
    name, email = _checked({"name": name, "email": email}).values()
    organization = session.get(Organization, organization_id) if organization_id else None
    if organization_id is not None and organization is None:
        raise InvalidFieldsError({"/organization_id": "No organisation has this id."})
    if organization_id is not None and session.get(Partner, organization_id) is not None:
        raise NotAllowedError("This organisation is already a partner.")
    if organization is None:
        # HSDS requires an organisation's description (the export's organizations.csv): its name, to start.
        organization = Organization(id=organization_id or uuid.uuid4(), name=name, description=name)
        session.add(organization)
    partner = Partner(id=organization.id, email=email, active=True, organization=organization)
    session.add(partner)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="create",
        entity_type="partner",
        entity_id=partner.id,
        changes=field_changes({}, partner_fields(partner)),
    )
    return partner


def update_partner(session: Session, *, actor: Actor, partner: Partner, changes: dict[str, Any]) -> Partner:
    """Rename, re-address, deactivate or reactivate a partner."""
    changes = {**changes, **_checked({key: changes[key] for key in ("name", "email") if key in changes})}
    before = partner_fields(partner)
    if "name" in changes and changes["name"] != partner.organization.name:
        partner.organization.name = changes["name"]
        for service in partner.organization.services:
            service.modified = utcnow()
    if "email" in changes:
        partner.email = changes["email"]
    if "active" in changes and changes["active"] != partner.active:
        partner.active = changes["active"]
        partner.deactivated_at = None if partner.active else utcnow()
    partner.modified = utcnow()
    session.flush()
    after = partner_fields(partner)
    action = "update"
    if before["active"] != after["active"]:
        action = "reactivate" if after["active"] else "deactivate"
    record_event(
        session,
        actor=actor,
        action=action,
        entity_type="partner",
        entity_id=partner.id,
        changes=field_changes(before, after),
    )
    return partner


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    """Return a partner's name and e-mail address as stored; raise InvalidFieldsError naming bad ones."""
    checked, problems = {}, {}
    for name, value in values.items():
        table = "partner" if name == "email" else "organization"
        try:
            checked[name] = field_rules.checked(table, name, value)
        except ValueError as error:
            problems[f"/{name}"] = str(error)
    if problems:
        raise InvalidFieldsError(problems)
    return checked


def list_partners(session: Session) -> list[Partner]:
    """Return every partner, by name."""
    return list(session.scalars(select(Partner).join(Organization).order_by(Organization.name, Partner.id)))
