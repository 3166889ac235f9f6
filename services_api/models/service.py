"""Services (the listings), with their vetting and freshness state, costs and service areas."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services_api.geo.areas import Area, parse_extent
from services_api.models.base import Base, IdMixin, TimestampMixin, UTCDateTime
from services_api.models.contact_points import Language, Phone, Schedule
from services_api.models.location import ServiceAtLocation
from services_api.models.organization import Contact, Organization
from services_api.models.taxonomy import Attribute


class VettingStatus(enum.StrEnum):
    """Where a listing stands in vetting; only `vetted` listings are public."""

    PENDING = "pending"
    VETTED = "vetted"
    SUSPENDED = "suspended"
    REJECTED = "rejected"


SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")


class Service(IdMixin, TimestampMixin, Base):
    """A listed service (HSDS `service`) plus the operator's vetting and freshness state."""

    __tablename__ = "service"
    __table_args__ = (
        CheckConstraint(
            "vetting_status IN ('pending', 'vetted', 'suspended', 'rejected')", name="vetting_status"
        ),
        CheckConstraint("status IN ('active', 'inactive', 'defunct', 'temporarily closed')", name="status"),
        # Every column of the public-visibility rule (core/visibility.py) and the id, so counting
        # the public services (or joining them to their places) reads this index alone (migration 0010).
        Index("ix_service_visibility", "last_verified_at", "vetting_status", "status", "withdrawn_at", "id"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), index=True)
    program_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(255), index=True)
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2048))
    email: Mapped[str | None] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(32), default="active")
    interpretation_services: Mapped[str | None] = mapped_column(Text)
    application_process: Mapped[str | None] = mapped_column(Text)
    fees_description: Mapped[str | None] = mapped_column(Text)
    wait_time: Mapped[str | None] = mapped_column(Text)
    fees: Mapped[str | None] = mapped_column(Text)
    accreditations: Mapped[str | None] = mapped_column(Text)
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[float | None] = mapped_column(Float)
    maximum_age: Mapped[float | None] = mapped_column(Float)
    assured_date: Mapped[date | None] = mapped_column(Date)
    assurer_email: Mapped[str | None] = mapped_column(String(320))
    licenses: Mapped[str | None] = mapped_column(Text)
    alert: Mapped[str | None] = mapped_column(Text)

    vetting_status: Mapped[str] = mapped_column(String(16), default=VettingStatus.PENDING.value)
    vetted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    vetted_by: Mapped[str | None] = mapped_column(String(255))
    vetting_criteria: Mapped[list[str] | None] = mapped_column(JSON)
    vetting_notes: Mapped[str | None] = mapped_column(Text)
    next_review_due: Mapped[date | None] = mapped_column(Date)
    last_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    search_text: Mapped[str] = mapped_column(Text, default="")
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    organization: Mapped[Organization] = relationship(back_populates="services")
    phones: Mapped[list[Phone]] = relationship(order_by=Phone.id, cascade="all, delete-orphan")
    schedules: Mapped[list[Schedule]] = relationship(order_by=Schedule.id, cascade="all, delete-orphan")
    languages: Mapped[list[Language]] = relationship(order_by=Language.id, cascade="all, delete-orphan")
    contacts: Mapped[list[Contact]] = relationship(order_by=Contact.id, cascade="all, delete-orphan")
    service_areas: Mapped[list[ServiceArea]] = relationship(
        order_by="ServiceArea.id", cascade="all, delete-orphan"
    )
    cost_options: Mapped[list[CostOption]] = relationship(
        order_by="CostOption.id", cascade="all, delete-orphan"
    )
    service_at_locations: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="service", order_by=ServiceAtLocation.id, cascade="all, delete-orphan"
    )
    attributes: Mapped[list[Attribute]] = relationship(
        primaryjoin="and_(Service.id == foreign(Attribute.link_id), Attribute.link_entity == 'service')",
        order_by=Attribute.id,
        cascade="all, delete-orphan",
        overlaps="attributes",
    )

    __mapper_args__ = {"version_id_col": row_version}


class ServiceArea(IdMixin, TimestampMixin, Base):
    """The area a service covers, as text or a GeoJSON extent."""

    __tablename__ = "service_area"

    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    extent: Mapped[str | None] = mapped_column(Text)
    extent_type: Mapped[str | None] = mapped_column(String(32))
    uri: Mapped[str | None] = mapped_column(String(2048))
    min_latitude: Mapped[float | None] = mapped_column(Float)
    max_latitude: Mapped[float | None] = mapped_column(Float)
    min_longitude: Mapped[float | None] = mapped_column(Float)
    max_longitude: Mapped[float | None] = mapped_column(Float)

    def area(self) -> Area | None:
        """Return the parsed geographic extent, or None when the area is only described in words."""
        return parse_extent(self.extent, self.extent_type)


@event.listens_for(ServiceArea, "before_insert")
@event.listens_for(ServiceArea, "before_update")
def _derive_bounds(_mapper: Any, _connection: Any, service_area: ServiceArea) -> None:
    """Keep the bounding box the search pre-filters on in step with the extent."""
    area = service_area.area()
    boxes = area.boxes() if area else []
    bounds: tuple[float | None, ...] = (None, None, None, None)
    if boxes:
        bounds = (
            min(box.min_latitude for box in boxes),
            max(box.max_latitude for box in boxes),
            min(box.min_longitude for box in boxes),
            max(box.max_longitude for box in boxes),
        )
    names = ("min_latitude", "max_latitude", "min_longitude", "max_longitude")
    for name, value in zip(names, bounds, strict=True):
        if getattr(service_area, name) != value:
            setattr(service_area, name, value)


class CostOption(IdMixin, TimestampMixin, Base):
    """A price of a service for some period or group."""

    __tablename__ = "cost_option"

    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service.id"), index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    option: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str | None] = mapped_column(String(3))
    amount: Mapped[float | None] = mapped_column(Float)
    amount_description: Mapped[str | None] = mapped_column(Text)
