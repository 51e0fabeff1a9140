"""The arXiv API client (its HTTP manners are ``http.SourceClient``'s) and a parser to records.

No ORM here: ``ArxivClient.fetch_ids`` returns ``PaperRecord`` objects and
``paperboy.ingest.importer`` writes them. ``parse_feed`` is pure and works on the bytes of one
Atom response (https://info.arxiv.org/help/api/user-manual.html).
"""

from __future__ import annotations

import logging
import random
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from django.conf import settings

from paperboy.ingest.http import (
    Limiter,
    RateLimiter,
    SourceClient,
    SourceError,
    SourceUnavailable,
    UsesSource,
)
from paperboy.ingest.records import PaperRecord
from paperboy.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id

log = logging.getLogger(__name__)

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}
# A full page of 100 entries is about 300 KB; anything far larger is not an answer to our query.
MAX_FEED_BYTES = 10 * 1024 * 1024
BATCH_SIZE = 100

# arXiv also sends ACM ("I.2.6") and MSC ("68T45") classes as <category>; keep arXiv's own.
_ARXIV_CATEGORY = re.compile(r"^[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]+(?:-[a-z]+)*)?$")
# A new paragraph in an arXiv abstract is a blank line or a line that starts indented.
_PARAGRAPH_BREAK = re.compile(r"\n(?:[ \t]*\n|[ \t]+(?=\S))")


class ArxivError(SourceError):
    """arXiv could not be reached or answered with something we cannot read."""


class ArxivUnavailable(ArxivError, SourceUnavailable):
    """Network errors or 429/5xx answers until the attempts ran out."""


@dataclass
class FeedError:
    """An error entry: arXiv's way of saying an id is malformed or unknown."""

    id: str
    message: str


@dataclass
class Feed:
    records: list[PaperRecord] = field(default_factory=list)
    errors: list[FeedError] = field(default_factory=list)
    total_results: int | None = None


# --- parsing -----------------------------------------------------------------------------------


def parse_feed(xml: bytes) -> list[PaperRecord]:
    """The papers in one arXiv Atom response; error entries are logged and left out."""
    feed = read_feed(xml)
    for error in feed.errors:
        log.warning("arXiv error entry %s: %s", error.id, error.message)
    return feed.records


def read_feed(xml: bytes) -> Feed:
    """Parse one arXiv Atom response into records and error entries.

    Raises ArxivError when the bytes are not an arXiv Atom feed.
    """
    root = _xml(xml, "arXiv response")
    if root.tag != f"{{{NS['atom']}}}feed":
        raise ArxivError(f"arXiv response is not an Atom feed (root element {root.tag}).")

    feed = Feed(total_results=_int(root.findtext("opensearch:totalResults", None, NS)))
    for entry in root.findall("atom:entry", NS):
        entry_id = _text(entry, "atom:id")
        if "/api/errors" in entry_id or _text(entry, "atom:title") == "Error":
            feed.errors.append(FeedError(id=entry_id, message=_text(entry, "atom:summary")))
            continue
        try:
            feed.records.append(_parse_entry(entry, entry_id))
        except ArxivError as e:
            # One unreadable entry should not cost the other 99 of the page.
            feed.errors.append(FeedError(id=entry_id, message=str(e)))
    return feed


def _xml(xml: bytes, what: str) -> ET.Element:
    """The root element of one arXiv answer, refused when too large, declaring a DTD or
    entities (arXiv never sends one; refusing rules out entity expansion) or not XML."""
    if len(xml) > MAX_FEED_BYTES:
        raise ArxivError(f"{what} too large ({len(xml)} bytes).")
    if b"<!DOCTYPE" in xml[:4096].upper() or b"<!ENTITY" in xml.upper():
        raise ArxivError(f"{what} declares a DTD or entities; refusing to parse it.")
    try:
        return ET.fromstring(xml)
    except ET.ParseError as e:
        raise ArxivError(f"{what} is not well-formed XML: {e}.") from e


def _parse_entry(entry: ET.Element, entry_id: str) -> PaperRecord:
    _, sep, rest = entry_id.partition("/abs/")
    try:
        if not sep:
            raise InvalidArxivId(entry_id)
        arxiv_id = parse_arxiv_id(rest)
    except InvalidArxivId as e:
        raise ArxivError(f"arXiv entry has an id we cannot read: {entry_id!r}.") from e

    published = _datetime(_text(entry, "atom:published"))
    if published is None:
        raise ArxivError(f"arXiv entry {entry_id} has no <published> date.")

    primary = entry.find("arxiv:primary_category", NS)
    terms = [primary.get("term", "")] if primary is not None else []
    terms += [c.get("term", "") for c in entry.findall("atom:category", NS)]
    categories = [t for t in dict.fromkeys(t.strip() for t in terms) if _ARXIV_CATEGORY.match(t)]

    return PaperRecord(
        arxiv_id=arxiv_id.base,
        version=arxiv_id.version or 1,
        title=_one_line(_text(entry, "atom:title")),
        abstract=_paragraphs(_text(entry, "atom:summary", strip=False)),
        authors=[
            name
            for a in entry.findall("atom:author", NS)
            if (name := _one_line(a.findtext("atom:name", "", NS)))
        ],
        published_at=published,
        updated_at=_datetime(_text(entry, "atom:updated")),
        categories=categories,
        comment=_one_line(_text(entry, "arxiv:comment")),
    )


def _text(element: ET.Element, path: str, *, strip: bool = True) -> str:
    value = element.findtext(path, "", NS)
    return value.strip() if strip else value


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _paragraphs(value: str) -> str:
    """Join hard-wrapped lines; keep paragraphs apart with one blank line."""
    parts = (_one_line(p) for p in _PARAGRAPH_BREAK.split(value.strip()))
    return "\n\n".join(p for p in parts if p)


def _datetime(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as e:
        raise ArxivError(f"arXiv sent a date we cannot read: {value!r}.") from e
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _int(value: str | None) -> int | None:
    try:
        return int(value.strip()) if value else None
    except ValueError:
        return None


# --- RSS (the daily announcements) ------------------------------------------------------------

RSS_NS = {"arxiv": "http://arxiv.org/schemas/atom"}
ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")


@dataclass
class Announcement:
    """One item of arXiv's daily RSS listing."""

    arxiv_id: str  # without version
    version: int
    announce_type: str  # new, cross, replace or replace-cross
    categories: list[str] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.announce_type in ("new", "cross")


def parse_rss(xml: bytes) -> list[Announcement]:
    """The announcements in one arXiv RSS 2.0 feed (``rss.arxiv.org/rss/cs.CL+cs.LG``).

    Items whose id cannot be read are skipped (and logged); an id listed under several of
    the requested categories appears once.
    """
    root = _xml(xml, "arXiv RSS")
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise ArxivError(f"arXiv answer is not an RSS feed (root element {root.tag}).")
    found: dict[str, Announcement] = {}
    for item in channel.findall("item"):
        guid = (item.findtext("guid") or "").strip()
        raw = guid.removeprefix("oai:arXiv.org:") if guid else ""
        if not raw:
            raw = (item.findtext("link") or "").strip().rpartition("/abs/")[2]
        try:
            parsed = parse_arxiv_id(raw)
        except InvalidArxivId:
            log.warning("arXiv RSS item with an id we cannot read: %r", guid or raw)
            continue
        kind = (item.findtext("arxiv:announce_type", "", RSS_NS) or "new").strip()
        if kind not in ANNOUNCE_TYPES:
            kind = "new"
        categories = [c.text.strip() for c in item.findall("category") if c.text and c.text.strip()]
        if parsed.base not in found:
            found[parsed.base] = Announcement(
                arxiv_id=parsed.base,
                version=parsed.version or 1,
                announce_type=kind,
                categories=categories,
            )
    return list(found.values())


# --- HTTP --------------------------------------------------------------------------------------


class ArxivClient(UsesSource):
    """Talks to the arXiv API politely: one request per ``min_interval``, bounded retries.

    The manners (rate limit, ``Retry-After``, backoff, size cap, User-Agent) are
    ``http.SourceClient``'s. ``limiter`` replaces the in-process spacing of requests
    (``min_interval``) with another (``runs.SharedRateLimiter`` spaces the requests of every
    process at once).

    Pass ``http`` to inject a transport (tests use ``httpx.MockTransport``); otherwise the
    client opens its own and ``close()`` (or ``with``) releases it.
    """

    def __init__(
        self,
        http: httpx.Client | None = None,
        *,
        api_url: str | None = None,
        user_agent: str | None = None,
        min_interval: float = 3.0,
        max_attempts: int = 4,
        backoff_base: float = 2.0,
        max_delay: float = 60.0,
        timeout: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        limiter: Limiter | None = None,
    ) -> None:
        self.api_url = api_url or settings.PAPERBOY_ARXIV_API_URL
        # Any object with ``wait()``: ingest passes one shared by every process (runs.py).
        self.limiter = limiter or RateLimiter(min_interval, clock=clock, sleep=sleep)
        self.source = SourceClient(
            "arXiv",
            http,
            user_agent=user_agent,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            max_delay=max_delay,
            max_bytes=MAX_FEED_BYTES,
            timeout=timeout,
            limiter=self.limiter,
            sleep=sleep,
            jitter=jitter,
            error=ArxivError,
            unavailable=ArxivUnavailable,
        )
        self.user_agent = self.source.user_agent

    def fetch_ids(self, ids: list[str]) -> list[PaperRecord]:
        """Records for ``ids`` (with or without versions), in batches of at most 100.

        Ids arXiv does not know are left out (and logged); compare with what you asked for.
        """
        feed = self.fetch_feed(ids)
        for error in feed.errors:
            log.warning("arXiv error entry %s: %s", error.id, error.message)
        return feed.records

    def fetch_feed(self, ids: Iterable[str]) -> Feed:
        """Like ``fetch_ids`` but keeps arXiv's error entries for the caller to report."""
        unique = list(dict.fromkeys(i.strip() for i in ids if i.strip()))
        result = Feed(total_results=0)
        for start in range(0, len(unique), BATCH_SIZE):
            batch = unique[start : start + BATCH_SIZE]
            body = self._get({"id_list": ",".join(batch), "max_results": str(len(batch))})
            feed = read_feed(body)
            result.records += feed.records
            result.errors += feed.errors
            result.total_results = (result.total_results or 0) + (feed.total_results or 0)
        return result

    def search(
        self,
        query: str,
        *,
        start: int = 0,
        max_results: int = BATCH_SIZE,
        sort_by: str = "submittedDate",
        sort_order: str = "ascending",
    ) -> Feed:
        """One page of an API ``search_query`` (e.g. ``cat:cs.CL AND submittedDate:[… TO …]``)."""
        body = self._get(
            {
                "search_query": query,
                "start": str(start),
                "max_results": str(max_results),
                "sortBy": sort_by,
                "sortOrder": sort_order,
            }
        )
        return read_feed(body)

    def fetch_announcements(self, categories: Iterable[str], rss_url: str | None = None) -> list:
        """Today's announcements for ``categories`` from arXiv's RSS feed (one request)."""
        base = (rss_url or settings.PAPERBOY_ARXIV_RSS_URL).rstrip("/")
        return parse_rss(self._get({}, url=f"{base}/{'+'.join(categories)}"))

    def _get(self, params: dict[str, str], *, url: str | None = None) -> bytes:
        return self.source.get(url or self.api_url, params=params).body
