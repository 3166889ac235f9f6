"""What waits for the operator: proposed changes to vetted listings, and reports from the public."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services_api.models.base import Base, IdMixin, UTCDateTime, utcnow

REPORT_KINDS = ("wrong_information", "closed", "treated_badly", "unsafe", "other")
REPORT_STATUSES = ("open", "resolved", "dismissed")


HELD_ENTITY_TYPES = ("service", "location", "service_at_location")


class ProposedChange(IdMixin, Base):
    """A partner's edit to the safety claims of a public record, held until the operator decides.

    `entity_type` and `entity_id` name the record (a service, or a location or service-at-location
    a vetted listing shows); `service_id` is also set for a change to a service.
    """

    __tablename__ = "proposed_change"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
        CheckConstraint("entity_type IN ('service', 'location', 'service_at_location')", name="entity_type"),
    )

    entity_type: Mapped[str] = mapped_column(String(32), default="service", server_default="service")
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service.id"), index=True)
    proposed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)


class Report(IdMixin, Base):
    """A public report about a listing; nothing about its sender is kept."""

    __tablename__ = "report"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('wrong_information', 'closed', 'treated_badly', 'unsafe', 'other')", name="kind"
        ),
        CheckConstraint("status IN ('open', 'resolved', 'dismissed')", name="status"),
    )

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": row_version}
