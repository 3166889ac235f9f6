"""Phones, opening schedules and languages, which hang off several kinds of record."""

from __future__ import annotations

import uuid
from datetime import date, time

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services_api.models.base import Base, IdMixin, TimestampMixin, parent_indexes


class Phone(IdMixin, TimestampMixin, Base):
    """A telephone number of an organisation, service, location, service-at-location or contact."""

    __tablename__ = "phone"
    __table_args__ = parent_indexes(
        "phone", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id"
    )

    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("location.id"))
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service.id"))
    organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organization.id"))
    contact_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contact.id"))
    service_at_location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service_at_location.id"))
    number: Mapped[str] = mapped_column(String(64))  # E.164 (a short number: its digits)
    display_number: Mapped[str | None] = mapped_column(String(64))  # as the partner typed it
    extension: Mapped[int | None] = mapped_column(Integer)
    type: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)

    languages: Mapped[list[Language]] = relationship(order_by="Language.id", cascade="all, delete-orphan")


class Schedule(IdMixin, TimestampMixin, Base):
    """When a service, location or service-at-location is open, as an RFC 5545-style weekly rule.

    `opens_at == closes_at` means open all day; `closes_at < opens_at` means the range runs past
    midnight into the next day.
    """

    __tablename__ = "schedule"
    __table_args__ = parent_indexes("schedule", "service_id", "location_id", "service_at_location_id")

    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service.id"))
    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("location.id"))
    service_at_location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service_at_location.id"))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    dtstart: Mapped[date | None] = mapped_column(Date)
    timezone: Mapped[float | None] = mapped_column(Float)
    until: Mapped[date | None] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)
    wkst: Mapped[str | None] = mapped_column(String(2))
    freq: Mapped[str | None] = mapped_column(String(16))
    interval: Mapped[int | None] = mapped_column(Integer)
    byday: Mapped[str | None] = mapped_column(String(64))
    byweekno: Mapped[str | None] = mapped_column(String(255))
    bymonthday: Mapped[str | None] = mapped_column(String(255))
    byyearday: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    opens_at: Mapped[time | None] = mapped_column(Time)
    closes_at: Mapped[time | None] = mapped_column(Time)
    schedule_link: Mapped[str | None] = mapped_column(String(2048))
    attending_type: Mapped[str | None] = mapped_column(String(255))
    notes: Mapped[str | None] = mapped_column(Text)


class Language(IdMixin, TimestampMixin, Base):
    """A language spoken at a service, location or on a phone line (ISO 639-1 `code`)."""

    __tablename__ = "language"
    __table_args__ = parent_indexes("language", "service_id", "location_id", "phone_id")

    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service.id"))
    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("location.id"))
    phone_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("phone.id"))
    name: Mapped[str | None] = mapped_column(String(255))
    code: Mapped[str | None] = mapped_column(String(35), index=True)
    note: Mapped[str | None] = mapped_column(Text)
