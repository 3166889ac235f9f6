"""Opening hours: weekly ranges, overnight and 24-hour schedules, each in its own time zone."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from services_api.core.search.opening_hours import is_open, zone
from services_api.models import Schedule

LONDON, SYDNEY, TORONTO = zone("Europe/London"), zone("Australia/Sydney"), zone("America/Toronto")


def _schedule(byday: str | None, opens: str, closes: str, **extra: object) -> Schedule:
    return Schedule(
        freq="WEEKLY",
        byday=byday,
        opens_at=time.fromisoformat(opens),
        closes_at=time.fromisoformat(closes),
        **extra,
    )


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ("2026-12-01T09:29", False),  # Tuesday before opening
        ("2026-12-01T09:30", True),
        ("2026-12-01T16:59", True),
        ("2026-12-01T17:00", False),  # closing time is exclusive
        ("2026-12-05T12:00", False),  # Saturday
    ],
)
def test_weekday_day_hours(local: str, expected: bool) -> None:
    weekdays = _schedule("MO,TU,WE,TH,FR", "09:30", "17:00")
    assert is_open([weekdays], moment=datetime.fromisoformat(local), time_zone=LONDON) is expected


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ("2026-12-04T21:59", False),  # Friday evening, before opening
        ("2026-12-04T22:00", True),
        ("2026-12-05T02:30", True),  # Saturday small hours belong to Friday night
        ("2026-12-05T06:00", False),
        ("2026-12-05T23:00", False),  # Saturday night is not in byday
        ("2026-12-07T03:00", False),  # Monday small hours: Sunday night is not listed
        ("2026-12-08T01:00", True),  # Tuesday small hours: Monday night is listed
    ],
)
def test_overnight_range_belongs_to_the_night_it_opens(local: str, expected: bool) -> None:
    nights = _schedule("MO,TU,WE,TH,FR", "22:00", "06:00")
    assert is_open([nights], moment=datetime.fromisoformat(local), time_zone=LONDON) is expected


def test_equal_opening_and_closing_means_all_day() -> None:
    always = _schedule("MO,TU,WE,TH,FR,SA,SU", "00:00", "00:00")
    for hour in (0, 3, 12, 23):
        assert is_open([always], moment=datetime(2026, 12, 6, hour, 59), time_zone=SYDNEY)


def test_aware_moments_are_read_in_the_places_own_time_zone() -> None:
    mornings = _schedule("MO,TU,WE,TH,FR", "09:00", "12:00")
    moment = datetime.fromisoformat("2026-12-01T23:30:00+00:00")  # 10:30 Wednesday in Sydney (AEDT)
    assert is_open([mornings], moment=moment, time_zone=SYDNEY)
    assert not is_open([mornings], moment=moment, time_zone=LONDON)
    assert not is_open([mornings], moment=moment, time_zone=TORONTO)  # 18:30 Tuesday in Toronto


def test_daylight_saving_is_followed() -> None:
    mornings = _schedule(None, "09:00", "10:00")
    summer = datetime.fromisoformat("2026-07-01T08:30:00+00:00")  # 09:30 BST
    winter = datetime.fromisoformat("2026-12-01T08:30:00+00:00")  # 08:30 GMT
    assert is_open([mornings], moment=summer, time_zone=LONDON)
    assert not is_open([mornings], moment=winter, time_zone=LONDON)


def test_validity_period_limits_a_schedule() -> None:
    december_only = _schedule(
        None, "10:00", "16:00", valid_from=date(2026, 12, 1), valid_to=date(2026, 12, 31)
    )
    assert is_open([december_only], moment=datetime(2026, 12, 15, 11), time_zone=LONDON)
    assert not is_open([december_only], moment=datetime(2027, 1, 15, 11), time_zone=LONDON)


def test_unknown_hours_are_never_open() -> None:
    described_only = Schedule(freq="WEEKLY", description="Call for an appointment")
    monthly = _schedule(None, "10:00", "12:00")
    monthly.freq = "MONTHLY"
    assert not is_open([described_only, monthly], moment=datetime(2026, 12, 1, 11), time_zone=LONDON)


def test_unknown_time_zone_names_fall_back_to_utc() -> None:
    assert zone("Mars/Olympus_Mons") == zone("UTC")
    assert zone(None, "Europe/London") == LONDON
