"""Which listings the public may see, and which of them are marked stale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, or_

from services_api.models import Service, VettingStatus, utcnow
from services_api.models.base import UTCDateTime

HIDDEN_SERVICE_STATUSES = ("defunct",)


def _midnight(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PublicView:
    """The public's view of the directory at one moment: vetted, current, not withdrawn.

    Hiding works in whole UTC days: a listing stays public through the last day of its
    `HIDE_AFTER_DAYS`, and leaves at midnight UTC (so a search index can compare day numbers).
    """

    now: datetime
    stale_before: datetime
    hidden_before: datetime

    @classmethod
    def at(cls, now: datetime | None = None, *, stale_after_days: int, hide_after_days: int) -> PublicView:
        """Return the view at `now` (default: this instant) under the given freshness limits."""
        now = now or utcnow()
        return cls(
            now=now,
            stale_before=now - timedelta(days=stale_after_days),
            hidden_before=_midnight(now - timedelta(days=hide_after_days)),
        )

    @property
    def hidden_before_day(self) -> int:
        """Return `hidden_before` as whole days since 1970-01-01 UTC."""
        return (self.hidden_before - EPOCH).days

    def service_filter(self) -> ColumnElement[bool]:
        """Return the SQL condition a service must meet to be public."""
        return and_(
            Service.vetting_status == VettingStatus.VETTED.value,
            Service.withdrawn_at.is_(None),
            Service.status.not_in(HIDDEN_SERVICE_STATUSES),
            Service.last_verified_at.is_not(None),
            Service.last_verified_at
            >= bindparam("view_hidden_before", self.hidden_before, type_=UTCDateTime),
        )

    def params(self) -> dict[str, datetime | int]:
        """Return the values of `service_filter`'s named parameters (to reuse a statement built before)."""
        return {"view_hidden_before": self.hidden_before, "view_hidden_day": self.hidden_before_day}

    def is_public(self, service: Service) -> bool:
        """Return whether a loaded service is public (the same rule as `service_filter`)."""
        return (
            service.vetting_status == VettingStatus.VETTED.value
            and service.withdrawn_at is None
            and service.status not in HIDDEN_SERVICE_STATUSES
            and service.last_verified_at is not None
            and service.last_verified_at >= self.hidden_before
        )

    def is_stale(self, service: Any) -> bool:
        """Return whether a vetted, live service went unconfirmed and unvetted past the stale limit."""
        if service.vetting_status != VettingStatus.VETTED.value or service.withdrawn_at is not None:
            return False
        fresh = fresh_since(service)
        return fresh is None or fresh < self.stale_before


def fresh_since(service: Any) -> datetime | None:
    """Return when a service was last confirmed or vetted, whichever is later (None if neither)."""
    moments = [moment for moment in (service.last_verified_at, service.vetted_at) if moment is not None]
    return max(moments, default=None)


def stale_filter(before: datetime) -> ColumnElement[bool]:
    """Return the SQL condition of a vetted, live service neither confirmed nor vetted since `before`."""
    return and_(
        Service.vetting_status == VettingStatus.VETTED.value,
        Service.withdrawn_at.is_(None),
        or_(Service.last_verified_at.is_(None), Service.last_verified_at < before),
        or_(Service.vetted_at.is_(None), Service.vetted_at < before),
    )
