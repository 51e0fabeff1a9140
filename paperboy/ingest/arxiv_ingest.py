"""The arXiv workflows: the daily announcements and a resumable backfill by category and dates.

Daily: arXiv's RSS listing for the configured categories says what was announced; the API
gives the full metadata in batches of 100. New and cross-listed papers are imported;
replacements only for papers the catalog already has (a newer version replaces the older
metadata; a replacement of a paper we never had is not news). A batch whose answer cannot be
read has its ids reported as failed, with the reason, and the next batch goes on.

Backfill: the API's ``search_query`` with ``cat:`` and a ``submittedDate`` window, paged in
submission order. After each page, the papers and the checkpoint (window, offset) are written
in one transaction: a backfill killed at any moment (``kill -9`` included) resumes at the first
page it had not committed, so nothing is lost and nothing is written twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from django.db import transaction

from paperboy.ingest.arxiv import (
    BATCH_SIZE,
    ArxivClient,
    ArxivError,
    ArxivUnavailable,
    FeedError,
)
from paperboy.ingest.importer import ImportResult, import_records
from paperboy.ingest.models import Checkpoint
from paperboy.ingest.runs import Progress
from paperboy.papers.models import Paper

EMPTY_PAGE_ATTEMPTS = 3


def categories_from_settings(value: str) -> list[str]:
    return [c for c in value.replace(",", " ").split() if c]


def ingest_daily(
    client: ArxivClient, *, categories: list[str], progress: Progress | None = None
) -> ImportResult:
    progress = progress or Progress()
    announcements = client.fetch_announcements(categories)
    versions = dict(
        Paper.objects.filter(arxiv_id__in=[a.arxiv_id for a in announcements]).values_list(
            "arxiv_id", "version"
        )
    )
    result = ImportResult()
    wanted = []
    for a in announcements:
        have = versions.get(a.arxiv_id)
        if have is None and not a.is_new:
            continue  # a replacement of a paper we never had
        if have is not None and have >= a.version:
            result.unchanged += 1  # already at this version: nothing to fetch
            continue
        wanted.append(a.arxiv_id)
    progress.start("arXiv daily", total=len(wanted))
    for start in range(0, len(wanted), BATCH_SIZE):
        batch = wanted[start : start + BATCH_SIZE]
        try:
            feed = client.fetch_feed(batch)
        except ArxivError as e:
            # An unreadable answer costs its own batch only; when arXiv stopped answering
            # altogether, the rest is reported too rather than waited for batch by batch.
            rest = wanted[start:] if isinstance(e, ArxivUnavailable) else batch
            part = ImportResult()
            for arxiv_id in rest:
                part.fail(arxiv_id, str(e))
            result.add(part)
            progress.advance(part)
            if isinstance(e, ArxivUnavailable):
                break
            continue
        asked = set(batch)
        records = [r for r in feed.records if r.arxiv_id in asked]
        part = import_records(records)
        got = {r.arxiv_id for r in records}
        for arxiv_id in batch:
            if arxiv_id not in got:
                part.fail(arxiv_id, _missing_reason(arxiv_id, feed.errors))
        result.add(part)
        progress.advance(part)
    return result


def _missing_reason(arxiv_id: str, errors: list[FeedError]) -> str:
    """Why arXiv's answer lacks ``arxiv_id``: its own error entry for that id, if it sent one."""
    mentions = re.compile(rf"(?<![\w.]){re.escape(arxiv_id)}(?![\d])")
    for error in errors:
        if mentions.search(error.id) or mentions.search(error.message):
            return error.message or "arXiv sent an error entry for it"
    return "arXiv has no paper with this id"


def backfill_key(category: str, start: date, end: date) -> str:
    return f"arxiv-backfill:{category}:{start.isoformat()}:{end.isoformat()}"


def backfill(
    client: ArxivClient,
    *,
    category: str,
    start: date,
    end: date,
    window_days: int = 7,
    page_size: int = BATCH_SIZE,
    restart: bool = False,
    progress: Progress | None = None,
    heartbeat: Callable[[], None] = lambda: None,
) -> ImportResult:
    """Import every paper of ``category`` submitted between ``start`` and ``end`` (inclusive)."""
    if end < start:
        raise ValueError("the end date is before the start date")
    progress = progress or Progress()
    key = backfill_key(category, start, end)
    fresh = {"window": start.isoformat(), "offset": 0}
    checkpoint, _ = Checkpoint.objects.get_or_create(key=key, defaults={"state": fresh})
    if restart:
        checkpoint.state, checkpoint.done = fresh, False
        checkpoint.save()
    result = ImportResult()
    if checkpoint.done:
        progress.note(f"{key} is complete; --restart runs it again")
        return result
    window = date.fromisoformat(checkpoint.state["window"])
    offset = int(checkpoint.state["offset"])
    if offset or window != start:
        progress.note(f"resuming {key} at {window} offset {offset}")
    label = f"arXiv {category}"
    progress.start(label)
    while window <= end:
        window_end = min(window + timedelta(days=window_days - 1), end)
        query = f"cat:{category} AND submittedDate:[{window:%Y%m%d}0000 TO {window_end:%Y%m%d}2359]"
        # The bar's total: what is done plus what this window holds (known from its first page).
        window_base, first_page = result.total - offset, True
        while True:
            feed = None
            for _ in range(EMPTY_PAGE_ATTEMPTS):
                feed = client.search(query, start=offset, max_results=page_size)
                entries = len(feed.records) + len(feed.errors)
                # The API now and then answers a page with no entries mid-result; ask again.
                if entries or feed.total_results is None or offset >= feed.total_results:
                    break
            else:
                raise ArxivError(
                    f"arXiv kept answering an empty page at offset {offset} of "
                    f"{feed.total_results} for {query!r}; run again to resume there."
                )
            if first_page and feed.total_results is not None:
                progress.start(label, total=window_base + feed.total_results)
                first_page = False
            offset += entries
            window_done = entries == 0 or (
                feed.total_results is not None and offset >= feed.total_results
            )
            next_state = (
                {"window": (window_end + timedelta(days=1)).isoformat(), "offset": 0}
                if window_done
                else {"window": window.isoformat(), "offset": offset}
            )
            with transaction.atomic():
                part = import_records(feed.records)
                for error in feed.errors:
                    part.fail(error.id, error.message or "arXiv error entry")
                Checkpoint.objects.filter(pk=checkpoint.pk).update(
                    state=next_state, done=window_done and window_end >= end
                )
            result.add(part)
            progress.advance(part)
            heartbeat()
            if window_done:
                break
        window, offset = window_end + timedelta(days=1), 0
    return result
