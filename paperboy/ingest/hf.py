"""Hugging Face daily papers: fetch ``/api/daily_papers`` and parse it to plain items. No ORM.

The JSON shape is the one documented in ``shared/data/README.md`` (and served by Paperboy's own
compatible API). ``parse_daily_papers`` turns one answer into ``DailyItem``s and per-item
errors: a malformed item is reported with its reason and never costs the others.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import httpx
from django.conf import settings

from paperboy.ingest.http import SourceClient, SourceError, SourceUnavailable, UsesSource
from paperboy.ingest.records import PaperRecord
from paperboy.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id

log = logging.getLogger(__name__)

PAGE_SIZE = 100
MAX_PAGES = 100
MAX_BYTES = 20 * 1024 * 1024


class HfError(SourceError):
    """Hugging Face could not be reached or answered with something we cannot read."""


class HfUnavailable(HfError, SourceUnavailable):
    """Network errors or 429/5xx answers until the attempts ran out."""


@dataclass
class HfOrganization:
    name: str  # the handle, e.g. "google"
    fullname: str = ""
    avatar: str = ""


@dataclass
class DailyItem:
    record: PaperRecord
    day: date  # the day it entered the daily list
    submitted_at: datetime
    submitter: str = ""  # the Hugging Face username
    upvotes: int = 0
    num_comments: int = 0
    ai_summary: str = ""
    ai_keywords: list[str] = field(default_factory=list)
    paper_organization: HfOrganization | None = None
    entry_organization: HfOrganization | None = None


@dataclass
class ItemError:
    id: str
    reason: str


def parse_daily_papers(body: bytes | str) -> tuple[list[DailyItem], list[ItemError]]:
    """Items and per-item errors of one ``/api/daily_papers`` answer.

    Raises HfError when the whole answer is unreadable (not JSON, not a list).
    """
    try:
        data = json.loads(body)
    except ValueError as e:
        raise HfError(f"Hugging Face answer is not JSON: {e}.") from None
    if not isinstance(data, list):
        raise HfError("Hugging Face answer is not a list of daily papers.")
    items, errors = [], []
    for n, raw in enumerate(data):
        try:
            try:
                # JSON may carry lone surrogates ("\ud800"), which no database stores.
                json.dumps(raw, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("text that is not valid Unicode (a lone surrogate)") from None
            items.append(_item(raw))
        except (KeyError, TypeError, ValueError) as e:
            paper = raw.get("paper") if isinstance(raw, dict) else None
            ident = str(paper.get("id", f"item {n}")) if isinstance(paper, dict) else f"item {n}"
            reason = f"missing field {e}" if isinstance(e, KeyError) else str(e)
            errors.append(ItemError(id=ident, reason=reason))
    return items, errors


def _item(raw: dict) -> DailyItem:
    if not isinstance(raw, dict):
        raise ValueError("item is not an object")
    paper = raw["paper"]
    if not isinstance(paper, dict):
        raise ValueError("paper is not an object")
    try:
        arxiv_id = parse_arxiv_id(str(paper["id"]))
    except InvalidArxivId as e:
        raise ValueError(str(e)) from None
    title = _str(paper.get("title") or raw.get("title"), "title")
    if not title.strip():
        raise ValueError("title is empty")
    published = _datetime(paper.get("publishedAt"), "publishedAt")
    if published is None:
        raise ValueError("needs paper.publishedAt (the arXiv date)")
    submitted = _datetime(paper.get("submittedOnDailyAt"), "submittedOnDailyAt") or _datetime(
        raw.get("publishedAt"), "publishedAt"
    )
    if submitted is None:
        raise ValueError("needs paper.submittedOnDailyAt (the day on the daily list)")
    authors = paper.get("authors") or []
    if not isinstance(authors, list):
        raise ValueError("authors must be a list")
    names = [a["name"] for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)]
    stars = paper.get("githubStars")
    if stars is not None and (not isinstance(stars, int) or isinstance(stars, bool) or stars < 0):
        raise ValueError(f"githubStars {stars!r} is not a count")
    upvotes = paper.get("upvotes") or 0
    if not isinstance(upvotes, int) or upvotes < 0:
        raise ValueError(f"upvotes {upvotes!r} is not a count")
    keywords = paper.get("ai_keywords") or []
    if not isinstance(keywords, list):
        raise ValueError("ai_keywords must be a list")
    submitter = raw.get("submittedBy") or {}
    return DailyItem(
        record=PaperRecord(
            arxiv_id=arxiv_id.base,
            version=arxiv_id.version or 1,
            title=title,
            abstract=_str(paper.get("summary") or raw.get("summary"), "summary"),
            authors=names,
            published_at=published,
            project_page=_str(paper.get("projectPage"), "projectPage"),
            github_repo=_str(paper.get("githubRepo"), "githubRepo"),
            github_stars=stars,
        ),
        day=submitted.date(),
        submitted_at=submitted,
        submitter=_str(submitter.get("name") if isinstance(submitter, dict) else "", "name"),
        upvotes=upvotes,
        num_comments=raw.get("numComments") or 0,
        ai_summary=_str(paper.get("ai_summary"), "ai_summary"),
        ai_keywords=[str(k) for k in keywords if isinstance(k, str | int | float)][:50],
        paper_organization=_organization(paper.get("organization")),
        entry_organization=_organization(raw.get("organization")),
    )


def _organization(value) -> HfOrganization | None:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return None
    return HfOrganization(
        name=value["name"],
        fullname=_str(value.get("fullname"), "fullname"),
        avatar=_str(value.get("avatar"), "avatar"),
    )


def _str(value, key: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string")
    return value


def _datetime(value, key: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{key} {value!r} is not an ISO 8601 timestamp") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


class HfClient(UsesSource):
    """Fetches daily papers, page by page, through ``http.SourceClient`` (retries, backoff,
    ``Retry-After``, size cap, User-Agent)."""

    def __init__(
        self,
        http: httpx.Client | None = None,
        *,
        api_url: str | None = None,
        user_agent: str | None = None,
        max_attempts: int = 4,
        backoff_base: float = 2.0,
        max_delay: float = 60.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.api_url = (api_url or settings.PAPERBOY_HF_API_URL).rstrip("/")
        self.source = SourceClient(
            "Hugging Face",
            http,
            user_agent=user_agent,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            max_delay=max_delay,
            max_bytes=MAX_BYTES,
            timeout=timeout,
            sleep=sleep,
            jitter=jitter,
            error=HfError,
            unavailable=HfUnavailable,
        )
        self.user_agent = self.source.user_agent

    def daily_papers(self, **period: str) -> tuple[list[DailyItem], list[ItemError]]:
        """All items for ``date=``, ``week=`` or ``month=`` (pages of 100 until a short one)."""
        items, errors = [], []
        for page in range(MAX_PAGES):
            body = self._get({**period, "p": str(page), "limit": str(PAGE_SIZE)})
            got, bad = parse_daily_papers(body)
            items += got
            errors += bad
            if len(got) + len(bad) < PAGE_SIZE:
                break
        return items, errors

    def _get(self, params: dict[str, str]) -> bytes:
        return self.source.get(
            f"{self.api_url}/daily_papers", params=params, headers={"Accept": "application/json"}
        ).body
