"""Places where services are delivered, their addresses, and the service-to-place links."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services_api.geo.public_point import public_point_columns
from services_api.models.base import Base, IdMixin, TimestampMixin
from services_api.models.contact_points import Language, Phone, Schedule
from services_api.models.organization import Contact
from services_api.models.taxonomy import Attribute

if TYPE_CHECKING:
    from services_api.models.organization import Organization
    from services_api.models.service import Service


class Location(IdMixin, TimestampMixin, Base):
    """A physical, postal or virtual place (HSDS `location`).

    `latitude`/`longitude` are the true point; public output and public search read only
    `public_latitude`/`public_longitude`, which for a confidential location is snapped to a
    coarse grid.
    """

    __tablename__ = "location"

    organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organization.id"), index=True)
    location_type: Mapped[str] = mapped_column(String(16), default="physical")
    url: Mapped[str | None] = mapped_column(String(2048))
    name: Mapped[str | None] = mapped_column(String(255))
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    transportation: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    public_latitude: Mapped[float | None] = mapped_column(Float, index=True)
    public_longitude: Mapped[float | None] = mapped_column(Float)
    public_x: Mapped[float | None] = mapped_column(Float)
    public_y: Mapped[float | None] = mapped_column(Float)
    public_z: Mapped[float | None] = mapped_column(Float)
    external_identifier: Mapped[str | None] = mapped_column(String(255))
    external_identifier_type: Mapped[str | None] = mapped_column(String(255))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where the point came from: `exact` (given with the record) or the level the geocoder matched
    # (see services_api.core.geocoding.precision); NULL for points stored before it was recorded.
    geocode_precision: Mapped[str | None] = mapped_column(String(16))
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    organization: Mapped[Organization | None] = relationship(back_populates="locations")
    addresses: Mapped[list[Address]] = relationship(order_by="Address.id", cascade="all, delete-orphan")
    accessibility: Mapped[list[Accessibility]] = relationship(
        order_by="Accessibility.id", cascade="all, delete-orphan"
    )
    phones: Mapped[list[Phone]] = relationship(order_by=Phone.id, cascade="all, delete-orphan")
    schedules: Mapped[list[Schedule]] = relationship(order_by=Schedule.id, cascade="all, delete-orphan")
    languages: Mapped[list[Language]] = relationship(order_by=Language.id, cascade="all, delete-orphan")
    contacts: Mapped[list[Contact]] = relationship(order_by=Contact.id, cascade="all, delete-orphan")
    attributes: Mapped[list[Attribute]] = relationship(
        primaryjoin="and_(Location.id == foreign(Attribute.link_id), Attribute.link_entity == 'location')",
        order_by=Attribute.id,
        cascade="all, delete-orphan",
        overlaps="attributes",
    )
    service_at_locations: Mapped[list[ServiceAtLocation]] = relationship(back_populates="location")

    __mapper_args__ = {"version_id_col": row_version}


@event.listens_for(Location, "before_insert")
@event.listens_for(Location, "before_update")
def _derive_public_point(_mapper: Any, _connection: Any, location: Location) -> None:
    """Keep the public point and its index columns in step with the true point and the confidential flag."""
    if location.id is None:
        location.id = uuid.uuid4()
    columns = public_point_columns(location.latitude, location.longitude, location.confidential)
    for name, value in columns.items():
        if getattr(location, name) != value:
            setattr(location, name, value)


class Address(IdMixin, TimestampMixin, Base):
    """A postal or physical address of a location."""

    __tablename__ = "address"

    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("location.id"), index=True)
    attention: Mapped[str | None] = mapped_column(String(255))
    address_1: Mapped[str] = mapped_column(String(255), default="")
    address_2: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str] = mapped_column(String(255), default="")
    region: Mapped[str | None] = mapped_column(String(255))
    state_province: Mapped[str] = mapped_column(String(255), default="")
    postal_code: Mapped[str] = mapped_column(String(32), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    address_type: Mapped[str] = mapped_column(String(16), default="physical")


class Accessibility(IdMixin, TimestampMixin, Base):
    """Accessibility information about a location."""

    __tablename__ = "accessibility"

    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("location.id"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2048))


class ServiceAtLocation(IdMixin, TimestampMixin, Base):
    """A service delivered at a location, with its own hours and phones there.

    On SQLite, `spatial_key` (set by a trigger) is this place's id in the `place_rtree` search index.
    """

    __tablename__ = "service_at_location"

    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service.id"), index=True)
    location_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("location.id"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    spatial_key: Mapped[int | None] = mapped_column(BigInteger, unique=True, index=True)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    service: Mapped[Service] = relationship(back_populates="service_at_locations")
    location: Mapped[Location] = relationship(back_populates="service_at_locations")
    phones: Mapped[list[Phone]] = relationship(order_by=Phone.id, cascade="all, delete-orphan")
    schedules: Mapped[list[Schedule]] = relationship(order_by=Schedule.id, cascade="all, delete-orphan")
    contacts: Mapped[list[Contact]] = relationship(order_by=Contact.id, cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": row_version}
