"""Opaque keyset cursors for ``GET /api/papers``: newest first by (published_at, pk)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from django.db.models import Q


def encode(published_at: datetime, pk: int) -> str:
    raw = f"{published_at.astimezone(UTC).isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, int]:
    """Raises ValueError for anything ``encode`` did not produce."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        published_at = datetime.fromisoformat(stamp)
        number = int(pk)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("bad cursor") from exc
    if published_at.tzinfo is None or not 0 < number < 2**62:
        raise ValueError("bad cursor")
    return published_at, number


def after(queryset, *, published_at: datetime, pk: int):
    """The rows that come after the cursor in ``-published_at, -pk`` order."""
    return queryset.filter(
        Q(published_at__lt=published_at) | Q(published_at=published_at, pk__lt=pk)
    )
