"""Look one paper up on arXiv on demand (the submit form's "not in the catalog yet" path).

``fetch_record`` asks arXiv once, with backoff but without the 3-second pause meant for crawls,
and returns the parsed record; the caller (``ingest/submission.py``) decides whether to write it.
"""

from __future__ import annotations

import logging

from paperboy.ingest.arxiv import ArxivClient, ArxivError, ArxivUnavailable, Feed
from paperboy.ingest.records import PaperRecord
from paperboy.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id

log = logging.getLogger(__name__)


class FetchError(Exception):
    """The paper could not be fetched; the message can be shown to the user."""


class PaperNotFound(FetchError):
    """arXiv has no paper with that id (or the text is not an arXiv id at all)."""


def default_client() -> ArxivClient:
    """The client for one interactive lookup: settings' URL and User-Agent, short waits."""
    return ArxivClient(min_interval=0, max_attempts=3, backoff_base=1.0, max_delay=5.0, timeout=10)


def fetch_record(arxiv_id: str, client: ArxivClient | None = None) -> PaperRecord:
    """arXiv's metadata for ``arxiv_id``, parsed but not written anywhere.

    Raises PaperNotFound when the text is not an arXiv id or arXiv does not know it, and
    FetchError when arXiv cannot be reached or answers with something unreadable.
    """
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId as e:
        raise PaperNotFound(str(e)) from e
    if client is None:
        with default_client() as own:
            feed = _fetch(own, parsed.base)
    else:
        feed = _fetch(client, parsed.base)
    record = next((r for r in feed.records if r.arxiv_id == parsed.base), None)
    if record is None:
        detail = "; ".join(e.message for e in feed.errors if e.message)
        log.info("arXiv has no paper %s (%s)", parsed.base, detail or "empty feed")
        raise PaperNotFound(f"arXiv has no paper with the id {parsed.base}.")
    return record


def _fetch(client: ArxivClient, base_id: str) -> Feed:
    try:
        # The base id asks for the latest version, which is what the catalog keeps.
        return client.fetch_feed([base_id])
    except ArxivUnavailable as e:
        log.warning("Fetching %s from arXiv failed: %s", base_id, e)
        raise FetchError(
            "arXiv is not answering right now, so we could not look this paper up. "
            "Please try again in a few minutes."
        ) from e
    except ArxivError as e:
        log.warning("Fetching %s from arXiv failed: %s", base_id, e)
        raise FetchError(
            "arXiv sent an answer we could not read, so we could not look this paper up. "
            "Please try again later."
        ) from e
