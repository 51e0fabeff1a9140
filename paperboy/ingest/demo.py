"""Fill a database with the demo corpus: real arXiv papers, organizations, a daily list, upvotes.

Everything generated here (which papers are on which day, at what time, with how many upvotes
and which organization) follows from a hash of the arXiv id or the day, so loading twice on the
same day changes nothing. The daily list covers the ``DAYS`` days ending on the load day, so
the day, week and month pages always have content, and the corpus's arXiv dates move with it
(``date_shift``): today's cards show this week's dates, and the papers not on the list are
recent enough to be submitted. See paperboy/demo/README.md.
"""

from __future__ import annotations

import hashlib
import json
import time as clock
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from paperboy.feed.models import DailyEntry
from paperboy.feed.votes import recompute_all_trending
from paperboy.ingest.importer import ImportResult, import_records
from paperboy.ingest.jsonl import JsonlError, read_records
from paperboy.lib import democorpus
from paperboy.papers.models import Organization, Paper

DEMO_DIR = democorpus.DEMO_DIR
DAYS = 21  # the daily list spans today and the 20 days before
ORG_SHARE = 30  # percent of papers tagged with an organization
MAX_UPVOTES = 300


@dataclass
class DemoSummary:
    papers: ImportResult = field(default_factory=ImportResult)
    organizations_created: int = 0
    entries_created: int = 0
    entries_moved: int = 0
    entries_removed: int = 0
    papers_changed: int = 0
    rescored: int = 0
    days_shifted: int = 0
    bad_lines: list[JsonlError] = field(default_factory=list)
    seconds: float = 0.0

    def __str__(self) -> str:
        return (
            f"Papers: {self.papers}; their arXiv dates moved by {self.days_shifted} days. "
            f"Organizations: {self.organizations_created} new. "
            f"Daily entries: {self.entries_created} new, {self.entries_moved} moved, "
            f"{self.entries_removed} removed. Counters changed on {self.papers_changed} papers; "
            f"{self.rescored} entries rescored in {self.seconds:.1f}s."
        )


def _hash(*parts: object) -> int:
    text = "|".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha1(text.encode()).digest()[:8], "big")


def demo_upvotes(arxiv_id: str) -> int:
    """Heavy-tailed: half get 0–1, about 1 in 10 gets 10+, about 1 in 30 gets 50+ (max 300)."""
    u = (_hash("votes", arxiv_id) % 1_000_000 + 1) / 1_000_000
    return min(MAX_UPVOTES, int(1.5 / u) - 1)


def entries_per_day(day: date) -> int:
    if day.weekday() >= 5:
        return 6 + _hash("day", day) % 10  # 6–15 at weekends
    return 25 + _hash("day", day) % 36  # 25–60 on weekdays


def plan_days(paper_ids: list[str], *, today: date) -> dict[str, date]:
    """Which day each paper enters the list; ``paper_ids`` freshest first, fill from today back."""
    plan: dict[str, date] = {}
    ids = iter(paper_ids)
    for offset in range(DAYS):
        day = today - timedelta(days=offset)
        for arxiv_id, _ in zip(ids, range(entries_per_day(day)), strict=False):
            plan[arxiv_id] = day
    return plan


def date_shift(records: list, *, seeds: set[str], today: date, now: datetime) -> timedelta:
    """How far the corpus's arXiv dates move so that its last announcement day is ``today``
    (a day less if that day would start after ``now``). The seed papers keep their dates."""
    corpus = [r.published_at for r in records if r.arxiv_id not in seeds]
    if not corpus:
        return timedelta(0)
    last = max(corpus)
    shift = timedelta(days=(today - last.date()).days)
    if last + shift > now:
        shift -= timedelta(days=1)
    return shift


def _shifted(records: list, *, seeds: set[str], shift: timedelta) -> list:
    if not shift:
        return records
    return [
        r
        if r.arxiv_id in seeds
        else replace(
            r,
            published_at=r.published_at + shift,
            updated_at=r.updated_at + shift if r.updated_at else None,
        )
        for r in records
    ]


def submitted_at(arxiv_id: str, day: date, *, now: datetime) -> datetime:
    """A time within ``day`` (in the site's time zone), and not after ``now`` for today."""
    start = datetime.combine(day, time(), tzinfo=timezone.get_default_timezone())
    span = 86_400 if day < timezone.localdate(now) else int((now - start).total_seconds())
    return start + timedelta(seconds=_hash("at", arxiv_id) % max(span, 1))


def load_demo(*, today: date | None = None, progress: bool = False) -> DemoSummary:
    """Load the demo corpus (idempotent). ``today`` is the last day of the daily list."""
    started = clock.perf_counter()
    now = timezone.now()
    today = today or timezone.localdate(now)
    if today != timezone.localdate(now):
        now = datetime.combine(today, time(23, 59), tzinfo=timezone.get_default_timezone())
    summary = DemoSummary()
    meta = json.loads((DEMO_DIR / "organizations.json").read_text(encoding="utf-8"))
    seeds = {s["id"]: s for s in meta["seed_papers"]}

    records = list(read_records(DEMO_DIR / "papers.jsonl.gz", on_error=summary.bad_lines.append))
    # The list's days move to end today: the arXiv dates move with them, so that today's cards
    # are this week's papers and the ones off the list can still be submitted (max age).
    shift = date_shift(records, seeds=set(seeds), today=today, now=now)
    records = _shifted(records, seeds=set(seeds), shift=shift)
    summary.days_shifted = shift.days
    summary.papers = _import(records, progress=progress)

    with transaction.atomic():
        orgs = _organizations(meta["organizations"], summary)
        org_slugs = sorted(orgs)
        papers = {
            p.arxiv_id: p
            for p in Paper.objects.filter(arxiv_id__in=[r.arxiv_id for r in records])
            .annotate(local_upvotes=Count("upvotes"))
            .only(
                "arxiv_id", "published_at", "organization_id", "imported_upvotes", "upvotes_count"
            )
        }
        fresh_first = sorted(
            (p for p in papers.values() if p.arxiv_id not in seeds),
            key=lambda p: (p.published_at, p.arxiv_id),
            reverse=True,
        )
        plan = plan_days([p.arxiv_id for p in fresh_first], today=today)
        # The seed papers were on the real Daily Papers page: spread them over the last week.
        for i, arxiv_id in enumerate(sorted(s for s in seeds if s in papers)):
            plan[arxiv_id] = today - timedelta(days=i % 7)

        wanted_org = {}
        for arxiv_id in papers:
            if arxiv_id in seeds:
                wanted_org[arxiv_id] = orgs.get(seeds[arxiv_id]["organization"])
            elif _hash("org", arxiv_id) % 100 < ORG_SHARE:
                wanted_org[arxiv_id] = orgs[org_slugs[_hash("which", arxiv_id) % len(org_slugs)]]
            else:
                wanted_org[arxiv_id] = None

        _set_paper_fields(papers, plan, seeds, wanted_org, summary)
        _set_entries(papers, plan, wanted_org, now, summary)
        summary.rescored = recompute_all_trending()
    summary.seconds = clock.perf_counter() - started
    return summary


def _import(records: list, *, progress: bool) -> ImportResult:
    if not progress:
        return import_records(records)
    from rich.progress import Progress

    def tracked(items, bar, task):
        for item in items:
            yield item
            bar.advance(task)

    with Progress(transient=False) as bar:
        task = bar.add_task("Importing demo papers", total=len(records))
        return import_records(tracked(records, bar, task))


def _organizations(rows: list[dict], summary: DemoSummary) -> dict[str, Organization]:
    existing = {o.slug: o for o in Organization.objects.filter(slug__in=[r["slug"] for r in rows])}
    missing = [
        Organization(
            slug=r["slug"],
            name=r["name"],
            avatar_url=r.get("avatar_url", ""),
            description=democorpus.DEMO_ORG_NOTE,
        )
        for r in rows
        if r["slug"] not in existing
    ]
    for org in missing:
        org.save()
        existing[org.slug] = org
    # Demo organizations loaded before they were labelled get the label (an operator's own
    # description stays).
    unlabelled = [o.pk for o in existing.values() if not o.description]
    Organization.objects.filter(pk__in=unlabelled).update(description=democorpus.DEMO_ORG_NOTE)
    summary.organizations_created = len(missing)
    return existing


def _set_paper_fields(papers, plan, seeds, wanted_org, summary: DemoSummary) -> None:
    # One UPDATE per distinct (organization, upvotes) pair: far faster than bulk_update's CASE.
    changes: dict[tuple, list[int]] = defaultdict(list)
    for arxiv_id, paper in papers.items():
        if arxiv_id in seeds:
            imported = seeds[arxiv_id]["upvotes"]
        elif arxiv_id in plan:
            imported = demo_upvotes(arxiv_id)
        else:
            imported = 0  # not on the daily list: nobody could upvote it
        org = wanted_org[arxiv_id]
        values = (org.pk if org else None, imported, imported + paper.local_upvotes)
        if values != (paper.organization_id, paper.imported_upvotes, paper.upvotes_count):
            paper.organization_id, paper.imported_upvotes, paper.upvotes_count = values
            changes[values].append(paper.pk)
    for (org_id, imported, count), pks in changes.items():
        Paper.objects.filter(pk__in=pks).update(
            organization_id=org_id, imported_upvotes=imported, upvotes_count=count
        )
    summary.papers_changed = sum(len(pks) for pks in changes.values())


def _set_entries(papers, plan, wanted_org, now, summary: DemoSummary) -> None:
    by_pk = {p.pk: p for p in papers.values()}
    # Entries a member submitted are theirs; only the generated ones (no submitter) move.
    existing = {
        e.paper_id: e
        for e in DailyEntry.objects.filter(paper_id__in=list(by_pk), submitted_by__isnull=True)
    }
    to_create, to_update, to_remove = [], [], []
    for pk, entry in existing.items():
        if by_pk[pk].arxiv_id not in plan:
            to_remove.append(entry.pk)
    taken = set(
        DailyEntry.objects.filter(paper_id__in=list(by_pk), submitted_by__isnull=False).values_list(
            "paper_id", flat=True
        )
    )
    for arxiv_id, day in plan.items():
        paper = papers[arxiv_id]
        if paper.pk in taken:
            continue
        org = wanted_org[arxiv_id]
        entry = existing.get(paper.pk)
        if entry is None:
            to_create.append(
                DailyEntry(
                    paper_id=paper.pk,
                    day=day,
                    submitted_at=submitted_at(arxiv_id, day, now=now),
                    organization=org,
                    upvotes_count=paper.upvotes_count,
                )
            )
        elif entry.day != day or entry.organization_id != (org.pk if org else None):
            if entry.day != day:
                entry.day = day
                entry.submitted_at = submitted_at(arxiv_id, day, now=now)
            entry.organization = org
            to_update.append(entry)
    DailyEntry.objects.filter(pk__in=to_remove).delete()
    DailyEntry.objects.bulk_create(to_create, batch_size=500)
    DailyEntry.objects.bulk_update(
        to_update, ["day", "submitted_at", "organization"], batch_size=500
    )
    summary.entries_created = len(to_create)
    summary.entries_moved = len(to_update)
    summary.entries_removed = len(to_remove)
