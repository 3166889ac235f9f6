"""The offline gazetteer: places and postcodes that `near=` and `postcode=` resolve against."""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services_api.models.base import Base


class Place(Base):
    """A populated place: a city, town, village or neighbourhood (or a London borough), from GeoNames."""

    __tablename__ = "place"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    country_code: Mapped[str] = mapped_column(String(2))
    admin1_code: Mapped[str | None] = mapped_column(String(20))
    latitude: Mapped[float] = mapped_column(Float, index=True)
    longitude: Mapped[float] = mapped_column(Float)
    population: Mapped[int] = mapped_column(BigInteger, default=0)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str | None] = mapped_column(String(24))
    part_of: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(200))


class PlaceName(Base):
    """One name of a place (its own or an alternate), case- and accent-folded for lookup."""

    __tablename__ = "place_name"
    __table_args__ = {"sqlite_with_rowid": False}

    folded_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), primary_key=True)


class Postcode(Base):
    """A postcode, postcode sector ("SE1 7") or postcode district ("SE1") and its centre."""

    __tablename__ = "postcode"
    __table_args__ = (Index("ix_postcode_code", "code"),)

    country_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    place_name: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    kind: Mapped[str | None] = mapped_column(String(24))
    part_of: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(200))
