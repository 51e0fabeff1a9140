"""Shared test personas and data helpers (loaded as a pytest plugin by the root conftest.py).

Personas, as pytest fixtures (each needs the ``db`` fixture, which they request themselves):

- ``alice``: a member with a verified, primary email; password ``PASSWORD``.
- ``bob``: another verified member, of the same organization as alice.
- ``charlie``: a stranger whose email is not verified.
- ``example_lab``: their organization, "Example Lab" (slug ``example-lab``): alice is its
  admin, bob a member.

The rate-limit counters live in the cache, which is cleared before every test.

Helpers, plain functions usable from any test:

- ``make_paper(**kw) -> Paper`` imports a realistic paper through the real importer.
- ``make_entry(paper, day=None, **kw) -> DailyEntry`` puts it on the daily list.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest

from paperboy.ingest.records import PaperRecord

PASSWORD = "correct horse battery staple"

_arxiv_numbers = itertools.count(1)


def make_user(username: str, *, email: str = "", verified: bool = True, **kw):
    """A user with a usable password (``PASSWORD``) and an allauth email address."""
    from allauth.account.models import EmailAddress

    # pytest loads this plugin before Django is set up: models only at call time
    from paperboy.accounts.models import User

    email = email or f"{username}@example.org"
    user = User.objects.create_user(username=username, email=email, password=PASSWORD, **kw)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


@pytest.fixture
def example_lab(db):
    # pytest loads this plugin before Django is set up: models only at call time
    from paperboy.papers.models import Organization

    return Organization.objects.create(slug="example-lab", name="Example Lab")


@pytest.fixture
def alice(db, example_lab):
    # pytest loads this plugin before Django is set up: models only at call time
    from paperboy.accounts.models import Membership

    user = make_user("alice", first_name="Alice", last_name="Liddell")
    Membership.objects.create(organization=example_lab, user=user, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def bob(db, example_lab):
    # pytest loads this plugin before Django is set up: models only at call time
    from paperboy.accounts.models import Membership

    user = make_user("bob", first_name="Bob", last_name="Marley")
    Membership.objects.create(organization=example_lab, user=user, role=Membership.Role.MEMBER)
    return user


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits count in the cache: every test starts with clean counters."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def charlie(db):
    return make_user("charlie", email="charlie@example.net", verified=False)


def make_paper(
    *,
    arxiv_id: str = "",
    title: str = "",
    abstract: str = "",
    authors: list[str] | None = None,
    categories: list[str] | None = None,
    published_at: datetime | None = None,
    version: int = 1,
    comment: str = "",
    project_page: str = "",
    github_repo: str = "",
    github_stars: int | None = None,
    **fields,
):
    """Import a paper through ``import_records``; ``fields`` set model-only columns afterwards
    (``imported_upvotes``, ``comments_count``, ``organization``, ``hidden``…)."""
    # pytest loads this plugin before Django is set up: models only at call time
    from paperboy.ingest.importer import import_records
    from paperboy.papers.models import Paper

    n = next(_arxiv_numbers)
    arxiv_id = arxiv_id or f"2501.{n:05d}"
    record = PaperRecord(
        arxiv_id=arxiv_id,
        title=title or f"Sparse Attention Is All You Need, Part {n}",
        abstract=abstract
        or (
            "We study sparse attention patterns in long-context transformers and show that a "
            "learned top-k router matches dense attention on language modelling benchmarks "
            "while using a fraction of the memory."
        ),
        authors=authors if authors is not None else ["Ada Lovelace", "Alan Turing", "Grace Hopper"],
        published_at=published_at or datetime(2025, 1, 14, 18, 0, tzinfo=UTC),
        version=version,
        categories=categories if categories is not None else ["cs.CL", "cs.LG"],
        comment=comment,
        project_page=project_page,
        github_repo=github_repo,
        github_stars=github_stars,
    )
    import_records([record])
    if fields:
        Paper.objects.filter(arxiv_id=arxiv_id).update(**fields)
    return Paper.objects.get(arxiv_id=arxiv_id)


def make_entry(
    paper,
    day: date | None = None,
    *,
    submitted_at: datetime | None = None,
    submitted_by=None,
    organization=None,
):
    """Put ``paper`` on the daily list of ``day`` (default: the day after its arXiv date),
    with its counters and trending score computed the way a vote computes them."""
    # pytest loads this plugin before Django is set up: models only at call time
    from paperboy.feed import votes
    from paperboy.feed.models import DailyEntry

    day = day or (paper.published_at.astimezone(UTC).date() + timedelta(days=1))
    entry = DailyEntry.objects.create(
        paper=paper,
        day=day,
        submitted_at=submitted_at or datetime.combine(day, time(9, 0), tzinfo=UTC),
        submitted_by=submitted_by,
        organization=organization,
    )
    votes.refresh_counters(paper.pk)
    entry.refresh_from_db()
    paper.refresh_from_db()
    return entry


def deliver_queued_mail() -> int:
    """Run the ``mail`` queue's waiting tasks here, as the mail worker would (``lib/outbox.py``);
    returns how many ran. Tests that read ``mail.outbox`` after a page sent mail call it."""
    from django_tasks_db.models import DBTaskResult

    ran = 0
    for result in DBTaskResult.objects.ready().filter(queue_name="mail").order_by("enqueued_at"):
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        result.delete()
        ran += 1
    return ran
