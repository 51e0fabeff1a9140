"""GitHub repository stars: conditional requests, optional token, rate-limit aware. No ORM.

``GithubClient.repo(name, etag)`` asks ``GET /repos/{owner}/{repo}`` with ``If-None-Match``:
a 304 costs no rate limit and means "unchanged". ``X-RateLimit-Remaining`` / ``Reset`` are read
on every answer; when the budget is spent the client waits for the reset if it is near
(``max_wait``) and otherwise raises ``RateLimited`` so the caller can stop until next time.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from django.conf import settings

log = logging.getLogger(__name__)

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


class GithubError(Exception):
    pass


class GithubUnavailable(GithubError):
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


class GithubClient:
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
        self.user_agent = user_agent or settings.PAPERBOY_USER_AGENT
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.max_wait = max_wait
        self.sleep = sleep
        self.now = now
        self.jitter = jitter
        self.remaining: int | None = None
        self.reset: float | None = None
        self._owns_http = http is None
        self.http = http or httpx.Client(timeout=timeout)

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> GithubClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _reset_at(self) -> datetime | None:
        return datetime.fromtimestamp(self.reset, UTC) if self.reset else None

    def _wait_for_budget(self) -> None:
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
        headers = {
            "User-Agent": self.user_agent,
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if etag:
            headers["If-None-Match"] = etag
        problem = ""
        for attempt in range(1, self.max_attempts + 1):
            self._wait_for_budget()
            try:
                response = self.http.get(
                    f"{self.api_url}/repos/{name}", headers=headers, follow_redirects=True
                )
            except httpx.TransportError as e:
                problem = f"{type(e).__name__}: {e}"
            else:
                self._note_limits(response)
                status = response.status_code
                if status == 304:
                    return RepoAnswer("not_modified", etag=etag)
                if status == 200:
                    try:
                        stars = response.json()["stargazers_count"]
                    except (ValueError, KeyError, TypeError):
                        raise GithubError(f"GitHub sent an unreadable answer for {name}") from None
                    if not isinstance(stars, int) or stars < 0:
                        raise GithubError(f"GitHub sent stars {stars!r} for {name}")
                    return RepoAnswer("ok", stars=stars, etag=response.headers.get("ETag", ""))
                if status in (404, 410, 451):
                    return RepoAnswer("missing")
                if status in (403, 429) and (self.remaining == 0 or status == 429):
                    if self.remaining != 0:
                        retry = response.headers.get("Retry-After", "")
                        self.remaining = 0
                        self.reset = self.now() + (float(retry) if retry.isdigit() else 60)
                    continue  # _wait_for_budget waits or raises RateLimited
                problem = f"HTTP {status}"
                if status < 500:
                    raise GithubError(f"GitHub answered {problem} for {name}")
            if attempt < self.max_attempts:
                step = self.backoff_base * 2 ** (attempt - 1)
                delay = step / 2 + self.jitter() * step / 2
                log.info(
                    "GitHub: attempt %d of %d for %s failed (%s); trying again in %.1f s",
                    *(attempt, self.max_attempts, name, problem, delay),
                )
                self.sleep(delay)
        if self.remaining == 0:
            raise RateLimited(self._reset_at())
        raise GithubUnavailable(f"GitHub did not answer for {name} ({problem})")

    def _note_limits(self, response: httpx.Response) -> None:
        remaining = response.headers.get("X-RateLimit-Remaining", "")
        reset = response.headers.get("X-RateLimit-Reset", "")
        if remaining.isdigit():
            self.remaining = int(remaining)
        if reset.isdigit():
            self.reset = float(reset)
