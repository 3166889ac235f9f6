"""Partners (organisations that may edit their own listings) and the API keys that act for them."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services_api.models.base import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow
from services_api.models.organization import Organization


class Role(enum.StrEnum):
    """What a key may do: a partner edits its own organisation's listings; the operator runs the directory."""

    PARTNER = "partner"
    OPERATOR = "operator"


class Partner(TimestampMixin, Base):
    """An organisation allowed to edit its own listings; its id is the organisation's id."""

    __tablename__ = "partner"

    id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    organization: Mapped[Organization] = relationship()

    __mapper_args__ = {"version_id_col": row_version}


class ApiKey(IdMixin, Base):
    """An API key, stored only as an HMAC-SHA256 of the secret and found by its public prefix."""

    __tablename__ = "api_key"
    __table_args__ = (
        CheckConstraint("role IN ('partner', 'operator')", name="role"),
        CheckConstraint("(role = 'operator') = (partner_id IS NULL)", name="partner_role"),
    )

    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    partner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("partner.id"), index=True)
    label: Mapped[str | None] = mapped_column(String(255))
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partner: Mapped[Partner | None] = relationship()
