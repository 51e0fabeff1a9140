"""GitHub repository stars: conditional requests, optional token, rate-limit aware. No ORM.

The HTTP manners (retries, backoff, ``Retry-After``, size cap, User-Agent) are
``http.SourceClient``'s; this module adds GitHub's budget.

``GithubClient.repo(name, etag)`` asks ``GET /repos/{owner}/{repo}`` with ``If-None-Match``:
a 304 costs no rate limit and means "unchanged". ``X-RateLimit-Remaining`` / ``Reset`` are read
on every answer; when the budget is spent the client waits for the reset if it is near
(``max_wait``) and otherwise raises ``RateLimited`` so the caller can stop until next time.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from django.conf import settings

from paperboy.ingest.http import (
    SourceClient,
    SourceError,
    SourceUnavailable,
    UsesSource,
    retry_after,
)

log = logging.getLogger(__name__)

# A repository's JSON is a few kilobytes.
MAX_BYTES = 1024 * 1024

_REPO = re.compile(
    r"^(?:https?://)?(?:www\.)?github\.com/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/([A-Za-z0-9._-]{1,100})"
)


def repo_name(url: str) -> str | None:
    """``owner/repo`` (lower case) of a GitHub URL, or None when it is not one."""
    match = _REPO.match((url or "").strip())
    if not match:
        return None
    owner, repo = match.groups()
    repo = repo.removesuffix(".git")
    if not repo or repo in (".", ".."):
        return None
    return f"{owner}/{repo}".lower()


class GithubError(SourceError):
    """GitHub refused the request or answered with something we cannot read."""


class GithubUnavailable(GithubError, SourceUnavailable):
    """Network errors or 5xx answers until the attempts ran out."""


class RateLimited(GithubError):
    def __init__(self, reset_at: datetime | None) -> None:
        when = reset_at.isoformat() if reset_at else "later"
        super().__init__(f"GitHub rate limit reached; it resets at {when}")
        self.reset_at = reset_at


@dataclass
class RepoAnswer:
    status: str  # "ok", "not_modified" or "missing"
    stars: int | None = None
    etag: str = ""


class GithubClient(UsesSource):
    """``GET /repos/{name}`` through ``http.SourceClient``; the rate-limit budget is its limiter."""

    def __init__(
        self,
        http: httpx.Client | None = None,
        *,
        api_url: str | None = None,
        token: str | None = None,
        user_agent: str | None = None,
        max_attempts: int = 3,
        backoff_base: float = 2.0,
        max_wait: float = 60.0,
        timeout: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.api_url = (api_url or settings.PAPERBOY_GITHUB_API_URL).rstrip("/")
        self.token = settings.PAPERBOY_GITHUB_TOKEN if token is None else token
        self.max_wait = max_wait
        self.sleep = sleep
        self.now = now
        self.remaining: int | None = None
        self.reset: float | None = None
        self.source = SourceClient(
            "GitHub",
            http,
            user_agent=user_agent,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            max_delay=max_wait,
            max_bytes=MAX_BYTES,
            timeout=timeout,
            limiter=self,
            sleep=sleep,
            jitter=jitter,
            observe=self._observe,
            error=GithubError,
            unavailable=GithubUnavailable,
            rate_limited=self._rate_limited,
        )
        self.user_agent = self.source.user_agent

    def wait(self) -> None:
        """Before each request: when the budget is spent, wait for the reset if it is near
        (``max_wait``), else raise RateLimited."""
        if self.remaining is None or self.remaining > 0:
            return
        wait = (self.reset or 0) - self.now() + 1
        if wait > self.max_wait:
            raise RateLimited(self._reset_at())
        if wait > 0:
            log.info("GitHub rate limit spent; waiting %.0f s for the reset", wait)
            self.sleep(wait)
        self.remaining = None

    def repo(self, name: str, *, etag: str = "") -> RepoAnswer:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if etag:
            headers["If-None-Match"] = etag
        answer = self.source.get(
            f"{self.api_url}/repos/{name}",
            headers=headers,
            final=(200, 304, 404, 410, 451),
            what=name,
        )
        if answer.status == 304:
            return RepoAnswer("not_modified", etag=etag)
        if answer.status != 200:
            return RepoAnswer("missing")
        try:
            stars = json.loads(answer.body)["stargazers_count"]
        except (ValueError, KeyError, TypeError):
            raise GithubError(f"GitHub sent an unreadable answer for {name}") from None
        if not isinstance(stars, int) or isinstance(stars, bool) or stars < 0:
            raise GithubError(f"GitHub sent stars {stars!r} for {name}")
        return RepoAnswer("ok", stars=stars, etag=answer.headers.get("ETag", ""))

    def _observe(self, response: httpx.Response) -> float | None:
        """Note the budget on every answer; for a rate-limit answer (a 429, or a 403 with the
        budget spent or a ``Retry-After``), how long GitHub wants us to wait."""
        remaining = response.headers.get("X-RateLimit-Remaining", "")
        reset = response.headers.get("X-RateLimit-Reset", "")
        if remaining.isdigit():
            self.remaining = int(remaining)
        if reset.isdigit():
            self.reset = float(reset)
        status, header = response.status_code, response.headers.get("Retry-After")
        if status != 429 and not (status == 403 and (self.remaining == 0 or header)):
            return None
        wait = retry_after(header)
        if wait is None and self.remaining == 0 and self.reset:
            wait = max(0.0, self.reset - self.now() + 1)
        if wait is not None and wait <= self.max_wait:
            self.remaining = None  # the client waits it out before the next attempt
        return 60.0 if wait is None else wait

    def _rate_limited(self, seconds: float) -> RateLimited:
        if self.remaining == 0 and self.reset:
            return RateLimited(self._reset_at())
        return RateLimited(datetime.fromtimestamp(self.now() + seconds, UTC))

    def _reset_at(self) -> datetime | None:
        return datetime.fromtimestamp(self.reset, UTC) if self.reset else None
