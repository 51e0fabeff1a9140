"""Scheduled ingest tasks (listed in ``paperboy/jobs/schedule.py``). Each skips when a run of
the same source is still going (see ``runs.ingest_run``).

A source that cannot be reached (offline machine, arXiv or GitHub down) is an expected
condition, not a bug: the run is recorded as failed with its reason (admin: Ingest runs), the
worker logs one warning line instead of a traceback, and the next scheduled slot tries again.
"""

import logging
from collections.abc import Callable

from django.tasks import task

from paperboy.ingest import jobs
from paperboy.ingest.arxiv import ArxivError
from paperboy.ingest.github import GithubError
from paperboy.ingest.hf import HfError

logger = logging.getLogger(__name__)

SOURCE_ERRORS = (ArxivError, HfError, GithubError)


def _summary(run) -> str:
    return "skipped: another run in progress" if run.skipped else str(run.result)


def _attempt(name: str, job: Callable[[], str]) -> str:
    try:
        return job()
    except SOURCE_ERRORS as e:
        logger.warning("%s: %s (the next scheduled run tries again)", name, e)
        return f"failed: {e}"


@task
def ingest_arxiv_daily() -> str:
    return _attempt("arxiv daily", lambda: _summary(jobs.run_arxiv_daily()))


@task
def catch_up_arxiv() -> str:
    return "; ".join(
        f"{category}: {run if isinstance(run, str) else _summary(run)}"
        for category, run in jobs.run_arxiv_catch_up()
    )


@task
def ingest_hf_daily() -> str:
    # Each day on its own: yesterday's failure does not keep today's import from being tried.
    return "; ".join(
        f"{day}: " + _attempt(f"hf {day}", lambda day=day: _summary(jobs.run_hf(date=day)))
        for day in jobs.hf_days()
    )


@task
def refresh_github_stars() -> str:
    return _attempt("github stars", lambda: _summary(jobs.run_github_stars()))
