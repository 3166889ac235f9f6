"""Declarative base, column types and mixins shared by every model."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Index, MetaData, TypeDecorator, Uuid, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC on every database and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass a timezone-aware value")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base class of every model, with a constraint naming convention Alembic can follow."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def models_by_table() -> dict[str, type[Base]]:
    """Return every model class by its table name."""
    return {mapper.class_.__tablename__: mapper.class_ for mapper in Base.registry.mappers}


class IdMixin:
    """A random UUID primary key."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


class TimestampMixin:
    """Creation and last-change times, maintained on insert and update."""

    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    modified: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


def parent_indexes(table: str, *columns: str) -> tuple[Index, ...]:
    """Return an index per column of a record that hangs off one of several parents (migration 0009).

    Each holds only the rows that point at that kind of parent. Most such columns are empty, and
    SQLite's statistics count every NULL as one value, so a full index looked useless to its planner,
    which scanned the whole table instead (`schedule.service_id IN (...)`, say).
    """
    return tuple(
        Index(
            f"ix_{table}_{column}",
            column,
            sqlite_where=text(f"{column} IS NOT NULL"),
            postgresql_where=text(f"{column} IS NOT NULL"),
        )
        for column in columns
    )
