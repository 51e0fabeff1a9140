"""Submitting a paper to today's daily list, and the operator's rules for it.

Rules come from settings: ``PAPERBOY_SUBMIT_WHO`` (``verified``, ``staff`` or ``nobody``),
``PAPERBOY_SUBMIT_MAX_AGE_DAYS`` and ``PAPERBOY_SUBMIT_DAILY_CAP``; a paper enters the list once.
A rejected submission leaves the database as it was: a paper not yet in the catalog is fetched
from arXiv, checked against the rules, and only then imported together with its entry.

``submit`` is the one door (web form and API): the daily cap is counted inside the transaction
that writes the entry, with the member's row locked (PostgreSQL) or the database's write lock
held from the start (SQLite's IMMEDIATE transactions), so that submissions racing each other
see each other's entries: ten at once against a cap of 5 used to write 7.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import format_html

from paperboy.feed import votes
from paperboy.feed.models import DailyEntry
from paperboy.ingest import fetch
from paperboy.ingest.importer import import_record
from paperboy.ingest.records import PaperRecord
from paperboy.lib.arxiv_ids import ArxivId
from paperboy.lib.dates import short_date
from paperboy.papers.models import Paper


class Rejected(Exception):
    """The submission breaks a rule; ``message`` (may hold a link) says which, and ``status``
    is the HTTP status that fits: 403 a rule says no (who may submit, the paper's age, a hidden
    paper), 404 arXiv has no such paper, 409 it is on the list already, 429 the daily cap,
    503 arXiv could not be reached."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def may_submit(user) -> str:
    """Why ``user`` may not submit at all, or "" when they may."""
    who = settings.PAPERBOY_SUBMIT_WHO
    if not user.is_authenticated:
        return "Sign in to submit a paper."
    if who == "nobody":
        return "Submissions are closed on this site."
    if who == "staff":
        return "" if user.is_staff else "Only the site's staff can submit papers here."
    if who == "verified":
        if EmailAddress.objects.filter(user=user, verified=True).exists():
            return ""
        return "Verify your email address to submit papers."
    return "Submissions are misconfigured on this site (PAPERBOY_SUBMIT_WHO)."


def check_cap(user, *, today: date) -> None:
    """Rejected (429) when ``user`` has used up today's submissions. Only a check made inside
    ``submit``'s transaction holds against racing submissions."""
    cap = settings.PAPERBOY_SUBMIT_DAILY_CAP
    done = DailyEntry.objects.filter(submitted_by=user, day=today).count()
    if done >= cap:
        raise Rejected(
            f"You have submitted {done} paper{'s' if done != 1 else ''} today, the daily "
            f"limit. Come back tomorrow.",
            status=429,
        )


def _lock_member(user) -> None:
    """Hold the member's row until the transaction ends: their submissions go one at a time.
    (A no-op on SQLite, where the IMMEDIATE transaction already holds the write lock.)"""
    members = get_user_model().objects.select_for_update()
    list(members.filter(pk=user.pk).values_list("pk", flat=True))


def _check_paper(paper: Paper, *, now: datetime) -> None:
    if paper.hidden:
        raise Rejected("This paper has been hidden by the moderators.", status=403)
    entry = DailyEntry.objects.filter(paper=paper).only("day").first()
    if entry is not None:
        raise Rejected(_already_featured(paper, entry.day), status=409)
    _check_age(paper.arxiv_id, paper.published_at, now=now)


def _check_age(arxiv_id: str, published_at: datetime, *, now: datetime) -> None:
    max_age = settings.PAPERBOY_SUBMIT_MAX_AGE_DAYS
    if published_at < now - timedelta(days=max_age):
        raise Rejected(
            f"{arxiv_id} appeared on arXiv on {short_date(published_at.date())}; "
            f"only papers from the last {max_age} days can be submitted.",
            status=403,
        )


def _already_featured(paper: Paper, day: date) -> str:
    return format_html(
        '{} is already on the daily list: it was featured on <a href="{}">{}</a>.',
        paper.arxiv_id,
        reverse("feed:date", args=[day.isoformat()]),
        short_date(day),
    )


def _fetch(arxiv_id: ArxivId) -> PaperRecord:
    try:
        return fetch.fetch_record(arxiv_id.base)
    except fetch.PaperNotFound:
        raise Rejected(f"arXiv has no paper {arxiv_id.base}.", status=404) from None
    except fetch.FetchError:
        raise Rejected(
            f"We could not reach arXiv to look up {arxiv_id.base}. Please try again in a minute.",
            status=503,
        ) from None


def submit(*, user, arxiv_id: ArxivId, today: date, now: datetime, organization=None) -> DailyEntry:
    """Put the paper on ``today``'s list for ``user``, or raise Rejected and change nothing.

    ``organization``, when given, tags the entry; only its members may tag with it."""
    reason = may_submit(user)
    if reason:
        raise Rejected(reason, status=403)
    check_cap(user, today=today)  # early, before asking arXiv; the one that holds is below
    if organization is not None and not organization.is_member(user):
        raise Rejected(f"Only members of {organization.name} can tag papers with it.", status=403)
    paper = Paper.objects.filter(arxiv_id=arxiv_id.base).first()
    record = None
    if paper is not None:
        _check_paper(paper, now=now)
    else:
        record = _fetch(arxiv_id)
        _check_age(record.arxiv_id, record.published_at, now=now)
    try:
        with transaction.atomic():
            _lock_member(user)
            check_cap(user, today=today)
            if record is not None:
                paper = import_record(record)
            entry = DailyEntry.objects.create(
                paper=paper,
                day=today,
                submitted_at=now,
                submitted_by=user,
                organization=organization,
            )
            votes.refresh_counters(paper.pk)
    except IntegrityError:
        # Someone else submitted (or imported) the same paper a moment ago.
        day = (
            DailyEntry.objects.filter(paper__arxiv_id=arxiv_id.base)
            .values_list("day", flat=True)
            .first()
        )
        if day is None:
            raise Rejected(
                "Someone submitted this paper at the same moment; try again.", status=409
            ) from None
        paper = Paper.objects.get(arxiv_id=arxiv_id.base)
        raise Rejected(_already_featured(paper, day), status=409) from None
    entry.paper = paper
    return entry
