"""Keyset cursors for ``GET /api/papers``: newest first by (published_at, pk).

A cursor is ``<microseconds since the epoch>.<pk>`` (what the ``Link`` header gives out). Every
string of that form is a position in the list (one past the calendar's ends is clamped to
them), so a client can only send a cursor that works or one that is not of that form (a 400).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db.models import Q

PATTERN = r"^[0-9]{1,20}\.[0-9]{1,20}$"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FIRST = datetime(1, 1, 2, tzinfo=UTC)
_LAST = datetime(9999, 12, 30, tzinfo=UTC)
_MAX_PK = 2**62


def encode(published_at: datetime, pk: int) -> str:
    micros = (published_at - EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{pk}"


def decode(cursor: str) -> tuple[datetime, int]:
    """Raises ValueError for a string not of the form ``encode`` gives."""
    stamp, dot, pk = cursor.partition(".")
    if not (dot and stamp.isdigit() and pk.isdigit()):
        raise ValueError("bad cursor")
    micros = min(int(stamp), (_LAST - EPOCH) // timedelta(microseconds=1))
    return max(EPOCH + timedelta(microseconds=micros), _FIRST), min(int(pk), _MAX_PK)


def after(queryset, *, published_at: datetime, pk: int):
    """The rows that come after the cursor in ``-published_at, -pk`` order."""
    return queryset.filter(
        Q(published_at__lt=published_at) | Q(published_at=published_at, pk__lt=pk)
    )
