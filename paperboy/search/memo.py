"""What search remembers between queries, per process: recent rankings, for a short time.

A popular query is ranked once per ``PAPERBOY_SEARCH_CACHE_SECONDS`` (default 60) in each web
process instead of on every request: its word and meaning candidates, fusion and reasons. The
page built from a remembered ranking is still read fresh (visibility, filters, the papers'
current data), so a hidden paper leaves results at once; a new paper can take that long to
appear for a query asked just before.

Every entry carries a generation stamp kept in the shared ``default`` cache: ``bump()`` (called
when the vectors change, e.g. after a model change or an embedding batch) drops every process's
entries at once, as does clearing that cache.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

GENERATION_KEY = "search:generation"
SIZE = 512  # rankings kept per process (each a few KB)


def seconds() -> int:
    return max(0, int(getattr(settings, "PAPERBOY_SEARCH_CACHE_SECONDS", 60)))


def generation() -> str:
    """The current stamp (one look-up in the shared cache), made when there is none."""
    stamp = cache.get(GENERATION_KEY)
    if stamp is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
        stamp = cache.get(GENERATION_KEY, "")
    return stamp


def bump() -> None:
    """Forget every process's rankings (their next look-up sees a new stamp). Never fails
    the write that called it: with the shared cache down, nothing is remembered anyway."""
    _rankings.clear()
    try:
        cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)
    except Exception:
        log.warning("search: could not drop the remembered rankings", exc_info=True)


class _Recent:
    """A thread-safe LRU whose entries expire after ``seconds()``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple, tuple[float, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> Any | None:
        now = time.monotonic()
        with self.lock:
            found = self.items.get(key)
            if found is None:
                return None
            if found[0] < now:
                del self.items[key]
                return None
            self.items.move_to_end(key)
            return found[1]

    def put(self, key: tuple, value: Any, ttl: float) -> None:
        with self.lock:
            self.items[key] = (time.monotonic() + ttl, value)
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_rankings = _Recent(SIZE)


def remembered(
    key: tuple, compute: Callable[[], Any], keep: Callable[[Any], bool] = lambda _: True
) -> Any:
    """``compute()``, or what it returned for ``key`` within ``seconds()`` in this process and
    the same generation; a value ``keep`` refuses is not remembered. Nothing is kept when the
    setting is 0."""
    ttl = seconds()
    if not ttl:
        return compute()
    try:
        stamp = generation()
    except Exception:  # a shared cache that is down (Redis): search as if nothing were kept
        log.warning("search: no remembered rankings (the shared cache failed)", exc_info=True)
        return compute()
    full = (stamp, *key)
    found = _rankings.get(full)
    if found is not None:
        return found
    value = compute()
    if keep(value):
        _rankings.put(full, value, ttl)
    return value


def forget() -> None:
    """Drop this process's entries (tests)."""
    _rankings.clear()
