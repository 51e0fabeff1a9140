"""Which days a digest covers, when it is due, and how failed sends back off. Pure: no ORM.

A *daily* digest goes out on weekday mornings and covers the list days since the previous
weekday's digest: Tuesday–Friday cover the day before, Monday covers Friday to Sunday (so a
weekend submission is not lost). A *weekly* digest goes out on Mondays and covers the ISO week
before (Monday to Sunday). A period is named by its kind and first day, ``daily:2025-01-17`` or
``weekly:2025-01-13``: that key, with the subscription, identifies one delivery, so a Monday
run and a Saturday ``--period current`` run for the same Friday never both send.

Everything here is pure: no ORM, no clock (callers pass ``today`` / ``now``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

DAILY = "daily"
WEEKLY = "weekly"
# When the scheduler sends (in PAPERBOY_TIME_ZONE): the day's list has settled overnight.
DAILY_AT = time(8, 0)
WEEKLY_AT = time(8, 30)


@dataclass(frozen=True)
class DigestPeriod:
    frequency: str  # DAILY or WEEKLY
    start: date
    end: date  # inclusive

    @property
    def key(self) -> str:
        return f"{self.frequency}:{self.start.isoformat()}"

    @property
    def label(self) -> str:
        if self.start == self.end:
            return f"{self.start:%a} {self.start:%b} {self.start.day}, {self.start.year}"
        if self.frequency == WEEKLY:
            year, week, _ = self.start.isocalendar()
            return f"week {week}, {year}"
        return f"{self.start:%b} {self.start.day} – {self.end:%b} {self.end.day}, {self.end.year}"


def current(frequency: str, today: date) -> DigestPeriod:
    """The period a digest sent on ``today`` covers."""
    if frequency == WEEKLY:
        return period(WEEKLY, today - timedelta(days=today.weekday() + 7))
    if frequency != DAILY:
        raise ValueError(f"unknown frequency {frequency!r}")
    start = today - timedelta(days=1)
    while start.weekday() >= 5:  # Saturday, Sunday: back to Friday
        start -= timedelta(days=1)
    return period(DAILY, start)


def period(frequency: str, start: date) -> DigestPeriod:
    """The period of ``frequency`` that starts on ``start``: a weekday runs up to the next
    weekday (Friday covers the weekend too), a week is seven days."""
    if frequency == WEEKLY:
        return DigestPeriod(WEEKLY, start, start + timedelta(days=6))
    end = start
    while (end + timedelta(days=1)).weekday() >= 5:
        end += timedelta(days=1)
    return DigestPeriod(DAILY, start, end)


def from_key(key: str) -> DigestPeriod:
    """The period a delivery's ``period`` key names (``daily:2025-01-17``)."""
    frequency, _, start = key.partition(":")
    if frequency not in (DAILY, WEEKLY):
        raise ValueError(f"not a digest period: {key!r}")
    return period(frequency, date.fromisoformat(start))


def due(
    frequency: str, now: datetime, *, at: time | None = None, weekday: int = 0
) -> DigestPeriod | None:
    """The period whose digest is due at ``now`` (local time), or None.

    Daily digests are due on weekdays from ``at`` on; weekly ones from ``at`` on ``weekday``
    (Monday by default) until the end of that week, so a late or restarted run still sends.
    """
    today = now.date()
    at = at or (DAILY_AT if frequency == DAILY else WEEKLY_AT)
    if frequency == DAILY:
        if today.weekday() >= 5 or now.time() < at:
            return None
        return current(DAILY, today)
    if today.weekday() < weekday or (today.weekday() == weekday and now.time() < at):
        return None
    return current(WEEKLY, today)


def backoff_seconds(attempts: int, *, base: float, cap: float) -> float:
    """Seconds to wait after the ``attempts``-th failed try: base, 2×base, 4×base… up to cap."""
    return min(base * 2 ** max(attempts - 1, 0), cap)


def is_permanent(code: int | None) -> bool:
    """An SMTP reply code that means "never try this address again" (5xx)."""
    return code is not None and 500 <= code < 600
