"""The one HTTP client every source talks through (arXiv, Hugging Face, GitHub). No ORM.

``SourceClient.get`` owns the manners all three need, so each is written once:

- a rate limit before every attempt: any object with ``wait()`` (``RateLimiter`` spaces one
  process's requests; ``runs.SharedRateLimiter`` those of every process; GitHub's budget waits
  for its reset);
- the configured User-Agent (``PAPERBOY_USER_AGENT``) on every request;
- bounded retries on network errors and 429/5xx, with exponential backoff and "equal jitter";
- ``Retry-After`` (seconds or an HTTP date) honoured: we wait that long, and when the server
  asks for longer than ``max_delay`` we stop now rather than ask again too early;
- a cap on the size of a body, read as a stream: a larger answer is refused, never held whole.

A source keeps its own exceptions (``error`` for a refusal or an unreadable answer,
``unavailable`` when the attempts ran out, ``rate_limited`` when the server asks for a long
wait) and its own parsing; this module only fetches bytes.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, Self

import httpx
from django.conf import settings

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_BYTES = 10 * 1024 * 1024


class SourceError(Exception):
    """A source refused the request or answered with something we will not read."""


class SourceUnavailable(SourceError):
    """Network errors or 429/5xx answers until the attempts ran out."""


class Limiter(Protocol):
    def wait(self) -> None: ...


class RateLimiter:
    """Keeps at least ``min_interval`` seconds between the starts of two requests."""

    def __init__(
        self,
        min_interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_interval = min_interval
        self.clock = clock
        self.sleep = sleep
        self._last: float | None = None

    def wait(self) -> None:
        if self._last is not None and self.min_interval > 0:
            remaining = self._last + self.min_interval - self.clock()
            if remaining > 0:
                self.sleep(remaining)
        self._last = self.clock()


@dataclass
class Answer:
    """One final answer: its status, headers and (for 200) the body, within the size cap."""

    status: int
    headers: httpx.Headers
    body: bytes = b""


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: either a number or an HTTP date (past: 0)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class UsesSource:
    """For a source's client holding a ``SourceClient`` as ``self.source``: ``close()`` and
    ``with`` release its connections."""

    source: SourceClient

    def close(self) -> None:
        self.source.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class SourceClient:
    """GET with manners (see the module docstring) for the source called ``name``.

    Pass ``http`` to inject a transport (tests use ``httpx.MockTransport``); otherwise the
    client opens its own and ``close()`` releases it. ``observe`` sees every answer before it
    is judged and may return how long the source wants us to wait (GitHub's rate-limit headers),
    which then counts like a ``Retry-After``.
    """

    def __init__(
        self,
        name: str,
        http: httpx.Client | None = None,
        *,
        user_agent: str | None = None,
        max_attempts: int = 4,
        backoff_base: float = 2.0,
        max_delay: float = 60.0,
        max_bytes: int = MAX_BYTES,
        timeout: float = 30.0,
        limiter: Limiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        observe: Callable[[httpx.Response], float | None] | None = None,
        error: type[Exception] = SourceError,
        unavailable: type[Exception] = SourceUnavailable,
        rate_limited: Callable[[float], Exception] | None = None,
    ) -> None:
        self.name = name
        self.user_agent = user_agent or settings.PAPERBOY_USER_AGENT
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.max_delay = max_delay
        self.max_bytes = max_bytes
        self.limiter = limiter
        self.sleep = sleep
        self.jitter = jitter
        self.observe = observe
        self.error = error
        self.unavailable = unavailable
        self.rate_limited = rate_limited or (
            lambda seconds: unavailable(f"{name} asks us to wait {seconds:.0f} s; try again later.")
        )
        self._owns_http = http is None
        self.http = http or httpx.Client(timeout=timeout)

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> SourceClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(
        self,
        url: str,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        final: Collection[int] = (200,),
        what: str = "",
    ) -> Answer:
        """The answer to ``GET url``: a 200 with its body, or another status of ``final``.

        Retries network errors, 429/5xx and what ``observe`` calls a wait; raises ``error`` for
        any other status or a body over ``max_bytes``, ``rate_limited`` when the source asks
        for a wait over ``max_delay`` (or its own limit still holds after the last attempt),
        ``unavailable`` when the attempts ran out. ``what`` names the request in messages.
        """
        about = f" for {what}" if what else ""
        what = what or str(params or url)
        problem, waited, limited = "", None, False
        for attempt in range(1, self.max_attempts + 1):
            if self.limiter is not None:
                self.limiter.wait()
            try:
                with self.http.stream(
                    "GET",
                    url,
                    params=params,
                    headers={"User-Agent": self.user_agent, **(headers or {})},
                    follow_redirects=True,
                ) as response:
                    status = response.status_code
                    waited = self.observe(response) if self.observe else None
                    limited = waited is not None
                    if status in final and waited is None:
                        body = self._read(response, what) if status == 200 else b""
                        return Answer(status, response.headers, body)
                    problem = f"HTTP {status}"
                    if status not in RETRY_STATUSES and waited is None:
                        raise self.error(f"{self.name} answered {problem} for {what}.")
                    if waited is None:
                        waited = retry_after(response.headers.get("Retry-After"))
            except httpx.TransportError as e:
                problem, waited, limited = f"{type(e).__name__}: {e}", None, False
            if waited is not None and waited > self.max_delay:
                raise self.rate_limited(waited)
            if attempt < self.max_attempts:
                delay = self.delay(attempt) if waited is None else waited
                log.info(
                    "%s: attempt %d of %d%s failed (%s); trying again in %.1f s",
                    *(self.name, attempt, self.max_attempts, about, problem, delay),
                )
                self.sleep(delay)
        if limited:
            raise self.rate_limited(waited)
        raise self.unavailable(
            f"{self.name} did not answer{about} after {self.max_attempts} attempts ({problem})."
        )

    def delay(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": at least half the step, at most all of it."""
        step = min(self.max_delay, self.backoff_base * 2 ** (attempt - 1))
        return step / 2 + self.jitter() * step / 2

    def _read(self, response: httpx.Response, what: str) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise self._too_large(what)
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise self._too_large(what)
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, what: str) -> Exception:
        return self.error(
            f"{self.name} answer for {what} is too large (over {self.max_bytes} bytes); giving up."
        )
