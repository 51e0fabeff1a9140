"""The periods a list page covers (a day, an ISO week, a month) and how URLs spell them.

``2025-10-07`` is a day, ``2025-W41`` an ISO week (Monday to Sunday), ``2025-10`` a month.
Parsing raises ``BadPeriod`` with a sentence a reader can act on; nothing here touches the ORM.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

DAY = "day"
WEEK = "week"
MONTH = "month"

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class BadPeriod(ValueError):
    """A date, week or month string that does not name a real period."""


def _with_neighbours(period: Period | None, text: str) -> Period:
    """A list page links to the period before and after it, and to the week and month of its
    first day: all must be writable dates."""
    if period is not None:
        try:
            period.previous()
            period.next()
            for kind in (WEEK, MONTH):
                Period.containing(period.start, kind)
            return period
        except OverflowError:
            pass
    raise BadPeriod(f"No papers were listed in {text}, at the very edge of the calendar.")


@dataclass(frozen=True)
class Period:
    kind: str  # DAY, WEEK or MONTH
    start: date
    end: date  # inclusive

    @property
    def slug(self) -> str:
        """How the period is written in a URL."""
        if self.kind == DAY:
            return self.start.isoformat()
        if self.kind == WEEK:
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def label(self) -> str:
        """How the period is written on the date chip: "Oct 7, 2025", "Week 41, 2025"."""
        if self.kind == DAY:
            return short_date(self.start)
        if self.kind == WEEK:
            year, week, _ = self.start.isocalendar()
            return f"Week {week}, {year}"
        return f"{calendar.month_name[self.start.month]} {self.start.year}"

    @property
    def range_label(self) -> str:
        """The days a week covers, for a subtitle: "Oct 6 – Oct 12, 2025"."""
        if self.start == self.end:
            return short_date(self.start)
        return f"{self.start:%b} {self.start.day} – {short_date(self.end)}"

    def previous(self) -> Period:
        return self.containing(self.start - timedelta(days=1), self.kind)

    def next(self) -> Period:
        return self.containing(self.end + timedelta(days=1), self.kind)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @classmethod
    def containing(cls, day: date, kind: str) -> Period:
        """The day, week or month that ``day`` falls in."""
        if kind == DAY:
            return cls(DAY, day, day)
        if kind == WEEK:
            start = day - timedelta(days=day.weekday())
            return cls(WEEK, start, start + timedelta(days=6))
        if kind == MONTH:
            last = calendar.monthrange(day.year, day.month)[1]
            return cls(MONTH, day.replace(day=1), day.replace(day=last))
        raise ValueError(f"unknown period kind {kind!r}")


def short_date(day: date) -> str:
    """ "Oct 7, 2025": the way the daily list writes dates."""
    return f"{day:%b} {day.day}, {day.year}"


def parse_day(text: str) -> Period:
    match = _DAY.match(text or "")
    if not match:
        raise BadPeriod(f"“{text[:40]}” is not a date. Write dates as YYYY-MM-DD, e.g. 2025-10-07.")
    year, month, day = (int(g) for g in match.groups())
    try:
        value = date(year, month, day)
    except ValueError:
        raise BadPeriod(f"There is no such day as {text}.") from None
    return _with_neighbours(Period(DAY, value, value), text)


def parse_week(text: str) -> Period:
    match = _WEEK.match(text or "")
    if not match:
        raise BadPeriod(f"“{text[:40]}” is not a week. Write ISO weeks as YYYY-Www, e.g. 2025-W41.")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        start = date.fromisocalendar(year, week, 1)
    except ValueError:
        weeks = date(year, 12, 28).isocalendar()[1] if 1 <= year <= 9999 else 52
        message = f"{year} has no week {week}: its ISO weeks run from 1 to {weeks}."
        raise BadPeriod(message) from None
    try:
        period = Period(WEEK, start, start + timedelta(days=6))
    except OverflowError:  # 9999-W52 ends in the year 10000
        period = None
    return _with_neighbours(period, text)


def parse_month(text: str) -> Period:
    match = _MONTH.match(text or "")
    if not match:
        raise BadPeriod(f"“{text[:40]}” is not a month. Write months as YYYY-MM, e.g. 2025-10.")
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and year >= 1):
        raise BadPeriod(f"There is no such month as {text}: months run from 01 to 12.")
    return _with_neighbours(Period.containing(date(year, month, 1), MONTH), text)


PARSERS = {DAY: parse_day, WEEK: parse_week, MONTH: parse_month}
