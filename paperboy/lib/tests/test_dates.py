"""Tests for the day/week/month periods and their URL spellings (no database)."""

from datetime import date

import pytest

from paperboy.lib.dates import (
    DAY,
    MONTH,
    WEEK,
    BadPeriod,
    Period,
    parse_day,
    parse_month,
    parse_week,
    short_date,
)


def test_it_parses_a_day():
    period = parse_day("2025-10-07")
    assert (period.start, period.end, period.kind) == (date(2025, 10, 7), date(2025, 10, 7), DAY)
    assert period.slug == "2025-10-07"
    assert period.label == "Oct 7, 2025"


@pytest.mark.parametrize("text", ["2025-02-30", "2025-13-01", "2023-02-29", "0000-01-01"])
def test_it_rejects_days_that_do_not_exist(text):
    with pytest.raises(BadPeriod, match="no such day"):
        parse_day(text)


@pytest.mark.parametrize("text", ["", "2025-1-7", "20251007", "yesterday", "2025-10-07x"])
def test_it_rejects_malformed_days(text):
    with pytest.raises(BadPeriod, match="YYYY-MM-DD"):
        parse_day(text)


def test_it_parses_an_iso_week_from_monday_to_sunday():
    period = parse_week("2025-W41")
    assert (period.start, period.end) == (date(2025, 10, 6), date(2025, 10, 12))
    assert period.slug == "2025-W41"
    assert period.label == "Week 41, 2025"
    assert period.range_label == "Oct 6 – Oct 12, 2025"


def test_it_knows_iso_week_one_can_start_in_december():
    assert parse_week("2025-W01").start == date(2024, 12, 30)


def test_it_accepts_week_53_only_in_years_that_have_one():
    assert parse_week("2020-W53").start == date(2020, 12, 28)
    with pytest.raises(BadPeriod, match="2025 has no week 53"):
        parse_week("2025-W53")


@pytest.mark.parametrize("text", ["2025-W60", "2025-W00"])
def test_it_rejects_week_numbers_out_of_range(text):
    with pytest.raises(BadPeriod, match="has no week"):
        parse_week(text)


@pytest.mark.parametrize("text", ["2025-41", "2025W41", "2025-W4", "W41"])
def test_it_rejects_malformed_weeks(text):
    with pytest.raises(BadPeriod, match="YYYY-Www"):
        parse_week(text)


def test_it_parses_a_month():
    period = parse_month("2024-02")
    assert (period.start, period.end) == (date(2024, 2, 1), date(2024, 2, 29))
    assert period.slug == "2024-02"
    assert period.label == "February 2024"


@pytest.mark.parametrize("text", ["2025-13", "2025-00"])
def test_it_rejects_months_that_do_not_exist(text):
    with pytest.raises(BadPeriod, match="no such month"):
        parse_month(text)


@pytest.mark.parametrize("text", ["2025-1", "2025/10", "October"])
def test_it_rejects_malformed_months(text):
    with pytest.raises(BadPeriod, match="YYYY-MM"):
        parse_month(text)


def test_previous_and_next_cross_year_boundaries():
    assert parse_day("2025-01-01").previous().slug == "2024-12-31"
    assert parse_week("2024-W52").next().slug == "2025-W01"
    assert parse_month("2025-12").next().slug == "2026-01"
    assert parse_month("2025-01").previous().slug == "2024-12"


def test_containing_finds_the_week_and_month_of_a_day():
    day = date(2025, 10, 9)  # a Thursday
    assert Period.containing(day, WEEK).slug == "2025-W41"
    assert Period.containing(day, MONTH).slug == "2025-10"
    assert Period.containing(day, WEEK).contains(day)


def test_short_date_has_no_leading_zero():
    assert short_date(date(2025, 10, 7)) == "Oct 7, 2025"


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (parse_day, "9999-12-31"),
        (parse_day, "9999-12-30"),  # its week ends in the year 10000
        (parse_day, "0001-01-01"),
        (parse_week, "9999-W52"),
        (parse_week, "0001-W01"),
        (parse_month, "9999-12"),
        (parse_month, "0001-01"),
    ],
)
def test_periods_at_the_ends_of_the_calendar_are_refused_with_a_reason(parse, text):
    # Their previous or next period cannot be written, so their page could not link to it.
    with pytest.raises(BadPeriod, match="No papers were listed in"):
        parse(text)


def test_the_first_and_last_usable_periods_have_neighbours():
    for period in (parse_day("9999-12-26"), parse_week("0001-W02"), parse_month("0001-02")):
        assert period.previous().end < period.start < period.next().start
