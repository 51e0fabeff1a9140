"""The ingest runs as the CLI and the scheduled tasks start them: lock, client, workflow, record.

Each ``run_*`` returns the ``Run`` (``run.skipped`` when another run of the same source held the
lock; ``run.result`` the counts). The CLI passes a progress bar; tasks run silently.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from paperboy.ingest import arxiv_ingest, github_stars, hf_import
from paperboy.ingest.arxiv import ArxivClient, ArxivError
from paperboy.ingest.github import GithubClient
from paperboy.ingest.hf import HfClient
from paperboy.ingest.runs import Progress, Run, SharedRateLimiter, ingest_run

# A backfill page takes seconds; a lock that is not extended for this long is a dead run.
BACKFILL_TTL = timedelta(minutes=15)


def arxiv_client() -> ArxivClient:
    """The client of ingest runs: arXiv's interval holds across all of them at once."""
    return ArxivClient(
        limiter=SharedRateLimiter("arxiv", settings.PAPERBOY_ARXIV_MIN_INTERVAL),
    )


def run_arxiv_daily(
    *, categories: list[str] | None = None, progress: Progress | None = None
) -> Run:
    categories = categories or arxiv_ingest.categories_from_settings(
        settings.PAPERBOY_ARXIV_CATEGORIES
    )
    with ingest_run("arxiv-daily", args={"categories": categories}) as run:
        if not run.skipped:
            with arxiv_client() as client:
                run.finish(
                    arxiv_ingest.ingest_daily(client, categories=categories, progress=progress)
                )
    return run


def run_arxiv_backfill(
    *,
    category: str,
    start: date,
    end: date,
    window_days: int = 7,
    page_size: int = 100,
    restart: bool = False,
    progress: Progress | None = None,
) -> Run:
    key = arxiv_ingest.backfill_key(category, start, end)
    args = {"category": category, "from": start.isoformat(), "to": end.isoformat()}
    with ingest_run(key, args=args, ttl=BACKFILL_TTL) as run:
        if not run.skipped:
            with arxiv_client() as client:
                run.finish(
                    arxiv_ingest.backfill(
                        client,
                        category=category,
                        start=start,
                        end=end,
                        window_days=window_days,
                        page_size=page_size,
                        restart=restart,
                        progress=progress,
                        heartbeat=run.heartbeat,
                    )
                )
    return run


CATCH_UP_DAYS = 8


def run_arxiv_catch_up(
    *, now: datetime | None = None, progress: Progress | None = None
) -> list[tuple[str, Run | str]]:
    """Backfill the configured categories over the last ``CATCH_UP_DAYS`` days.

    The daily run reads one RSS listing, which arXiv replaces the next day: a day it missed
    (arXiv or the network down at that hour) is fetched here. Papers already in the catalog
    come back unchanged. Returns (category, Run or the error that stopped it) pairs.
    """
    end = (now or timezone.now()).date() - timedelta(days=1)
    start = end - timedelta(days=CATCH_UP_DAYS - 1)
    runs: list[tuple[str, Run | str]] = []
    for category in arxiv_ingest.categories_from_settings(settings.PAPERBOY_ARXIV_CATEGORIES):
        try:
            run = run_arxiv_backfill(
                category=category, start=start, end=end, window_days=CATCH_UP_DAYS,
                progress=progress,
            )  # fmt: skip
        except ArxivError as e:
            runs.append((category, str(e)))  # recorded as a failed run; go on with the others
        else:
            runs.append((category, run))
    return runs


def run_hf(*, progress: Progress | None = None, **period: str) -> Run:
    """``period`` is one of ``date="2025-10-29"``, ``week="2025-W44"``, ``month="2025-10"``."""
    with ingest_run("hf-daily-papers", args=period) as run:
        if not run.skipped:
            with HfClient() as client:
                items, errors = client.daily_papers(**period)
            run.finish(hf_import.import_daily_items(items, errors, progress=progress))
    return run


def run_github_stars(*, limit: int | None = None, progress: Progress | None = None) -> Run:
    with ingest_run("github-stars", args={"limit": limit}, ttl=timedelta(hours=2)) as run:
        if not run.skipped:
            with GithubClient() as client:
                run.finish(
                    github_stars.refresh_stars(
                        client, limit=limit, progress=progress, heartbeat=run.heartbeat
                    )
                )
    return run


def hf_days(now=None) -> list[str]:
    """The days a scheduled Hugging Face import looks at: yesterday and today (UTC)."""
    today = (now or timezone.now()).date()
    return [(today - timedelta(days=1)).isoformat(), today.isoformat()]
