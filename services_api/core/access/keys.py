"""API keys: issued once, stored only as an HMAC under SECRET_KEY, found by a short public prefix."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_api.core.actors import Actor
from services_api.core.errors import InvalidFieldsError
from services_api.core.listings.audit import record_event
from services_api.models import ApiKey, Partner, Role, utcnow

KEY_SCHEME = "sa"
PREFIX_BYTES = 6
SECRET_BYTES = 32
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    """A newly issued key: the full token is shown once and never stored."""

    record: ApiKey
    token: str


def _hash(secret_key: str, token: str) -> str:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def _split(token: str) -> tuple[str, str] | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def public_prefix(token: str) -> str | None:
    """Return the public prefix a token names (whether or not such a key exists), or None if malformed."""
    parts = _split(token)
    return parts[0] if parts else None


def key_holder(session: Session, *, role: Role, partner_id: uuid.UUID | None) -> Partner | None:
    """Return the partner a new key of this role belongs to (None for the operator), or refuse the pair."""
    if role is Role.OPERATOR:
        if partner_id is not None:
            raise InvalidFieldsError({"/partner_id": "an operator key has no partner; leave it out"})
        return None
    partner = session.get(Partner, partner_id) if partner_id else None
    if partner is None:
        raise InvalidFieldsError({"/partner_id": "a partner key needs the id of an existing partner"})
    if not partner.active:
        raise InvalidFieldsError(
            {"/partner_id": "this partner is deactivated; reactivate it before issuing it a key"}
        )
    return partner


def issue_key(
    session: Session,
    secret_key: str,
    *,
    actor: Actor,
    role: Role,
    partner: Partner | None = None,
    label: str | None = None,
) -> IssuedKey:
    """Create a key for the operator or for a partner (audited); return it with its one-time token."""
    if (role is Role.PARTNER) != (partner is not None):
        raise ValueError("a partner key needs a partner, an operator key must not have one")
    prefix = secrets.token_hex(PREFIX_BYTES)
    token = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    record = ApiKey(
        id=uuid.uuid4(),
        prefix=prefix,
        secret_hash=_hash(secret_key, token),
        role=role.value,
        partner_id=partner.id if partner else None,
        label=label,
    )
    session.add(record)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="issue",
        entity_type="api_key",
        entity_id=prefix,
        changes={"role": {"before": None, "after": role.value}},
    )
    return IssuedKey(record, token)


def authenticate(session: Session, secret_key: str, *, token: str) -> ApiKey | None:
    """Return the live key this token belongs to, or None; the comparison takes constant time."""
    parts = _split(token)
    if parts is None:
        return None
    record = session.scalars(select(ApiKey).where(ApiKey.prefix == parts[0])).one_or_none()
    expected = record.secret_hash if record else _hash(secret_key, "no such key")
    matches = hmac.compare_digest(expected, _hash(secret_key, token))
    if record is None or not matches or record.revoked_at is not None:
        return None
    if record.partner is not None and not record.partner.active:
        return None
    return record


def note_use(key: ApiKey) -> bool:
    """Record that the key was used now (at most once a minute); return whether anything changed."""
    now = utcnow()
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_RESOLUTION:
        return False
    key.last_used_at = now
    return True


def find_key(session: Session, prefix: str) -> ApiKey | None:
    """Return the key with this public prefix, revoked or not."""
    return session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).one_or_none()


def list_keys(session: Session) -> list[ApiKey]:
    """Return every key, newest first."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created.desc(), ApiKey.prefix)))


def revoke_key(session: Session, *, actor: Actor, key: ApiKey) -> bool:
    """Revoke the key from now on (audited); return False when it was already revoked."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    changes = {"revoked_at": {"before": None, "after": key.revoked_at}}
    record_event(
        session, actor=actor, action="revoke", entity_type="api_key", entity_id=key.prefix, changes=changes
    )
    return True
