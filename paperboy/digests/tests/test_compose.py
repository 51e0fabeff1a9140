"""Composing digests a batch at a time: a fixed number of queries per batch, whatever its size,
and the same digests as composing each subscriber on its own."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperboy.accounts.models import Follow
from paperboy.digests import sending
from paperboy.digests.compose import Composer
from paperboy.digests.models import Delivery
from paperboy.digests.periods import DAILY, current
from paperboy.digests.tests.conftest import LIST_DAY, SEND_DAY, subscribe
from paperboy.digests.tests.test_send_digests import store_vectors, unit
from paperboy.feed import votes
from paperboy.papers.models import Organization
from paperboy.testing import make_entry, make_paper, make_user

NOW = datetime.combine(SEND_DAY, datetime.min.time(), tzinfo=UTC).replace(hour=9)


@pytest.fixture
def world(papers, settings):
    """Monday's list (the three trending papers and eight more, some from a lab), older
    papers with vectors for members to upvote."""
    settings.PAPERBOY_DIGEST_TOP_N = 3
    settings.PAPERBOY_DIGEST_FOR_YOU_N = 3
    lab = Organization.objects.create(slug="followed-lab", name="Followed Lab")
    listed = []
    for i in range(8):
        paper = make_paper(title=f"Listed paper {i}", organization=lab if i % 3 == 0 else None)
        make_entry(paper, LIST_DAY)
        listed.append(paper)
    older = [make_paper(title=f"Older paper {i}") for i in range(6)]
    store_vectors(
        {
            **{p: unit(1, 0.2 * i, 1 - 0.1 * i) for i, p in enumerate(listed)},
            **{p: unit(0.5, 0.3 * i, 0.2) for i, p in enumerate(older)},
            **{p: unit(0, 0, 1) for p in papers},
        }
    )
    return {"lab": lab, "listed": listed, "older": older}


def make_subscribers(world, prefix: str, count: int) -> list:
    """A mix: readers, members with upvotes (some also following the lab, some with a topic),
    members with too few upvotes."""
    subs = []
    for i in range(count):
        email = f"{prefix}{i}@example.org"
        if i % 4 == 0:
            subs.append(subscribe(email, categories=["cs.CL"] if i % 8 == 0 else []))
            continue
        member = make_user(f"{prefix}{i}")
        upvotes = 1 if i % 4 == 3 else 2 + i % 4
        for paper in world["older"][i % 3 : i % 3 + upvotes]:
            votes.upvote(user_id=member.pk, paper_id=paper.pk)
        if i % 4 == 2:
            Follow.objects.create(user=member, organization=world["lab"])
        subs.append(subscribe(email, user=member))
    return subs


def test_a_batch_is_composed_as_each_subscriber_would_be_alone(world, settings):
    settings.PAPERBOY_DIGEST_FOR_YOU_MIN_UPVOTES = 2
    subs = make_subscribers(world, "u", 12)
    # subs[2] and subs[6] have the same signal; subs[2] was already mailed the paper that
    # would come first in its for-you section.
    Delivery.objects.create(
        subscription=subs[2], period="weekly:2025-01-13", status="sent",
        paper_ids=[world["listed"][6].pk],
    )  # fmt: skip
    period = current(DAILY, SEND_DAY)

    together = Composer(period).compose_many(subs)
    alone = [Composer(period).compose(sub) for sub in subs]

    assert together == alone
    assert sum(1 for d in together if d.for_you) >= 6
    assert world["listed"][6].pk not in together[2].paper_ids
    assert len(together[2].for_you) == 3
    assert together[6].for_you[0].paper_id == world["listed"][6].pk


def test_sending_a_batch_takes_a_fixed_number_of_queries_plus_one_update_per_digest(
    smtp, world, monkeypatch
):
    """What the digests app itself asks the database, whatever the batch's size. For you's
    own work for each member (``engine.recommend_many``, ``engine.mark_seen``) is the
    engine's budget, left out here."""
    from paperboy.foryou import engine

    inside_engine: list[range] = []

    def counted(fn):
        def wrapper(*args, **kwargs):
            start = len(connection.queries)
            try:
                return fn(*args, **kwargs)
            finally:
                inside_engine.append(range(start, len(connection.queries)))

        return wrapper

    monkeypatch.setattr(engine, "recommend_many", counted(engine.recommend_many))
    monkeypatch.setattr(engine, "mark_seen", counted(engine.mark_seen))

    def queries_to_send(subs) -> list[str]:
        inside_engine.clear()
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
            report = sending.send(sending.current_periods(NOW), now=NOW)
        assert report.sent == len(subs)
        skip = {i - ctx.initial_queries for r in inside_engine for i in r}
        return [q["sql"] for i, q in enumerate(ctx.captured_queries) if i not in skip]

    small = queries_to_send(make_subscribers(world, "a", 4))
    large = queries_to_send(make_subscribers(world, "b", 16))

    def finishing(sql: str) -> bool:  # the one write per digest: marked sent once accepted
        return sql.startswith("UPDATE") and "digests_delivery" in sql and "sent_at" in sql

    assert sum(map(finishing, small)) == 4
    assert sum(map(finishing, large)) == 16
    assert len([q for q in small if not finishing(q)]) == len(
        [q for q in large if not finishing(q)]
    )
