"""The digest calendar and backoff (paperboy/digests/periods.py): pure, no database."""

from datetime import date, datetime, time

import pytest

from paperboy.digests import periods
from paperboy.digests.periods import DAILY, WEEKLY


def test_a_tuesday_daily_digest_covers_monday():
    p = periods.current(DAILY, date(2025, 1, 21))
    assert (p.start, p.end, p.key) == (date(2025, 1, 20), date(2025, 1, 20), "daily:2025-01-20")


def test_a_monday_daily_digest_covers_friday_to_sunday():
    p = periods.current(DAILY, date(2025, 1, 20))
    assert (p.start, p.end) == (date(2025, 1, 17), date(2025, 1, 19))


def test_a_weekend_run_names_the_same_period_as_monday():
    saturday = periods.current(DAILY, date(2025, 1, 18))
    monday = periods.current(DAILY, date(2025, 1, 20))
    assert saturday.key == monday.key == "daily:2025-01-17"


def test_a_weekly_digest_covers_the_iso_week_before():
    p = periods.current(WEEKLY, date(2025, 1, 22))
    assert (p.start, p.end, p.key) == (date(2025, 1, 13), date(2025, 1, 19), "weekly:2025-01-13")


def test_a_key_reads_back_into_its_period():
    for today in (date(2025, 1, 20), date(2025, 1, 21), date(2025, 1, 24)):
        for freq in (DAILY, WEEKLY):
            p = periods.current(freq, today)
            assert periods.from_key(p.key) == p


def test_a_bad_key_is_refused():
    with pytest.raises(ValueError):
        periods.from_key("monthly:2025-01-01")


def test_daily_digests_are_due_on_weekday_mornings_only():
    assert periods.due(DAILY, datetime(2025, 1, 21, 7, 59)) is None
    assert periods.due(DAILY, datetime(2025, 1, 21, 8, 0)).key == "daily:2025-01-20"
    assert periods.due(DAILY, datetime(2025, 1, 25, 12, 0)) is None  # Saturday


def test_weekly_digests_are_due_from_monday_morning_through_the_week():
    assert periods.due(WEEKLY, datetime(2025, 1, 20, 8, 0)) is None
    assert periods.due(WEEKLY, datetime(2025, 1, 20, 8, 30)).key == "weekly:2025-01-13"
    assert periods.due(WEEKLY, datetime(2025, 1, 23, 1, 0)).key == "weekly:2025-01-13"
    assert periods.due(WEEKLY, datetime(2025, 1, 20, 9, 0), at=time(10, 0)) is None


def test_backoff_doubles_up_to_the_cap():
    waits = [periods.backoff_seconds(n, base=300, cap=3600) for n in range(1, 6)]
    assert waits == [300, 600, 1200, 2400, 3600]


def test_only_5xx_is_permanent():
    assert periods.is_permanent(550)
    assert not periods.is_permanent(451)
    assert not periods.is_permanent(None)


def test_labels_read_naturally():
    assert periods.current(DAILY, date(2025, 1, 21)).label == "Mon Jan 20, 2025"
    assert periods.current(DAILY, date(2025, 1, 20)).label == "Jan 17 – Jan 19, 2025"
    assert periods.current(WEEKLY, date(2025, 1, 21)).label == "week 3, 2025"
