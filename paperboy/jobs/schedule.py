"""Every recurring job of Paperboy, in one list (as lobste.rs keeps its ``recurring.yml``).

A job runs once per *slot*: every ``every`` minutes, or once a day at ``at`` (HH:MM in the
job's time zone) on the listed weekdays. The scheduler (``paperboy manage run_scheduler``,
started by ``paperboy up``) only enqueues; the task worker runs the tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.utils.module_loading import import_string

WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)


@dataclass(frozen=True)
class Job:
    name: str
    task: str  # dotted path of a django.tasks Task
    every: int | None = None  # minutes
    at: time | None = None  # daily at this local time
    weekdays: tuple[int, ...] = WEEKDAYS  # Monday is 0
    tz: str = "UTC"

    def slot(self, now: datetime) -> str | None:
        """The slot that is due at ``now``, or None when nothing is due."""
        if self.every:
            minutes = int(now.timestamp() // 60)
            return f"{minutes - minutes % self.every}"
        local = now.astimezone(ZoneInfo(self.tz))
        if local.weekday() not in self.weekdays or self.at is None:
            return None
        if local.time() < self.at:
            return None
        return local.date().isoformat()

    def get_task(self):
        return import_string(self.task)


JOBS: list[Job] = [
    Job("recompute-trending", "paperboy.feed.tasks.recompute_trending", at=time(3, 0)),
    Job("clear-sessions", "paperboy.jobs.tasks.clear_sessions", at=time(4, 0)),
    Job("prune-task-results", "paperboy.jobs.tasks.prune_task_results", at=time(4, 30)),
    # Safety net for the search index: embeds papers whose vector is missing or from another
    # model (after a model change, a crash, or papers written without the import signal).
    Job("search-embed-missing", "paperboy.search.tasks.embed_missing", every=30),
    # The word index at scale (search/wordindex.py): build it, then apply the change log.
    Job("search-word-index", "paperboy.search.tasks.sync_word_index", every=5),
    # Summaries and keywords (paperboy/summaries/build.py) for papers that have their vector and
    # no summary yet, or whose abstract, method or prompt changed; idempotent.
    Job("summaries-build", "paperboy.summaries.tasks.build_summaries", every=15),
    # Email digests (paperboy/digests/periods.py): daily on weekdays once yesterday's list has
    # settled, weekly on Mondays; the retry job resends temporary failures after their backoff.
    Job(
        "send-daily-digests",
        "paperboy.digests.tasks.send_daily_digests",
        at=time(8, 0),
        weekdays=(0, 1, 2, 3, 4),
    ),
    Job(
        "send-weekly-digests",
        "paperboy.digests.tasks.send_weekly_digests",
        at=time(8, 30),
        weekdays=(0,),
    ),
    Job("retry-digests", "paperboy.digests.tasks.retry_digests", every=10),
    # Ingest (paperboy/ingest/tasks.py); a run that overlaps a running one skips.
    # arXiv announces Sunday–Thursday at 20:00 US Eastern, but its RSS listings (which the daily
    # import reads) are rebuilt at midnight Eastern Standard Time and are empty on Saturdays and
    # Sundays (https://info.arxiv.org/help/rss.html): Sunday's … Thursday's announcement is in
    # the listing of Monday … Friday. 01:30 New York time is after midnight EST all year round.
    Job(
        "ingest-arxiv-daily",
        "paperboy.ingest.tasks.ingest_arxiv_daily",
        at=time(1, 30),
        weekdays=(0, 1, 2, 3, 4),
        tz="America/New_York",
    ),
    # A missed listing is gone the next day: on Saturdays (no announcements) the last 8 days of
    # each category are fetched from the API; what the catalog has comes back unchanged.
    Job(
        "catch-up-arxiv",
        "paperboy.ingest.tasks.catch_up_arxiv",
        at=time(6, 0),
        weekdays=(5,),
        tz="America/New_York",
    ),
    # Hugging Face's list fills during the day: yesterday's and today's, every two hours.
    Job("ingest-hf-daily", "paperboy.ingest.tasks.ingest_hf_daily", every=120),
    Job("refresh-github-stars", "paperboy.ingest.tasks.refresh_github_stars", at=time(2, 0)),
]
