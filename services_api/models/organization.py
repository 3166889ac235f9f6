"""Organisations that deliver services, and named contacts."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services_api.models.base import Base, IdMixin, TimestampMixin, parent_indexes

if TYPE_CHECKING:
    from services_api.models.contact_points import Phone
    from services_api.models.location import Location
    from services_api.models.service import Service


class Organization(IdMixin, TimestampMixin, Base):
    """An organisation delivering services (HSDS `organization`)."""

    __tablename__ = "organization"

    name: Mapped[str] = mapped_column(String(255), index=True)
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(320))
    website: Mapped[str | None] = mapped_column(String(2048))
    tax_status: Mapped[str | None] = mapped_column(String(255))
    tax_id: Mapped[str | None] = mapped_column(String(255))
    year_incorporated: Mapped[int | None] = mapped_column(Integer)
    legal_status: Mapped[str | None] = mapped_column(String(255))
    logo: Mapped[str | None] = mapped_column(String(2048))
    uri: Mapped[str | None] = mapped_column(String(2048))
    parent_organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organization.id"))

    services: Mapped[list[Service]] = relationship(
        back_populates="organization", order_by="Service.name", cascade="all, delete-orphan"
    )
    locations: Mapped[list[Location]] = relationship(
        back_populates="organization", order_by="Location.name", cascade="all, delete-orphan"
    )
    phones: Mapped[list[Phone]] = relationship(order_by="Phone.id", cascade="all, delete-orphan")
    contacts: Mapped[list[Contact]] = relationship(order_by="Contact.id", cascade="all, delete-orphan")


class Contact(IdMixin, TimestampMixin, Base):
    """A named person or role to contact about an organisation, service or location."""

    __tablename__ = "contact"
    __table_args__ = parent_indexes(
        "contact", "organization_id", "service_id", "service_at_location_id", "location_id"
    )

    organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organization.id"))
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service.id"))
    service_at_location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service_at_location.id"))
    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("location.id"))
    name: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    department: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))

    phones: Mapped[list[Phone]] = relationship(order_by="Phone.id", cascade="all, delete-orphan")
