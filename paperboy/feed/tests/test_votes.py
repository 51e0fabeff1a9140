"""Upvotes and their counters (paperboy/feed/votes.py), including concurrent clicks."""

import threading
from datetime import date

import pytest
from django.db import connection

from paperboy.feed import ranking, votes
from paperboy.feed.models import DailyEntry, Upvote
from paperboy.testing import make_entry, make_paper, make_user


@pytest.fixture
def paper(db):
    return make_paper()


@pytest.fixture
def entry(paper):
    return make_entry(paper, date(2025, 1, 15))


def test_an_upvote_counts_on_the_paper_and_its_daily_entry(alice, entry):
    assert votes.upvote(user_id=alice.pk, paper_id=entry.paper_id) == 1
    entry.refresh_from_db()
    entry.paper.refresh_from_db()
    assert entry.paper.upvotes_count == 1
    assert entry.upvotes_count == 1
    assert Upvote.objects.filter(user=alice, paper=entry.paper).count() == 1


def test_it_counts_a_double_upvote_once(alice, paper):
    votes.upvote(user_id=alice.pk, paper_id=paper.pk)
    assert votes.upvote(user_id=alice.pk, paper_id=paper.pk) == 1
    assert Upvote.objects.filter(paper=paper).count() == 1
    paper.refresh_from_db()
    assert paper.upvotes_count == 1


def test_it_counts_upvotes_from_different_users(alice, bob, charlie, paper):
    for user in (alice, bob, charlie):
        votes.upvote(user_id=user.pk, paper_id=paper.pk)
    paper.refresh_from_db()
    assert paper.upvotes_count == 3


def test_removing_an_upvote_lowers_both_counters(alice, bob, entry):
    votes.upvote(user_id=alice.pk, paper_id=entry.paper_id)
    votes.upvote(user_id=bob.pk, paper_id=entry.paper_id)
    assert votes.remove_upvote(user_id=alice.pk, paper_id=entry.paper_id) == 1
    entry.refresh_from_db()
    assert entry.upvotes_count == 1
    assert not Upvote.objects.filter(user=alice).exists()
    assert Upvote.objects.filter(user=bob).exists()


def test_removing_an_upvote_that_does_not_exist_changes_nothing(alice, paper):
    assert votes.remove_upvote(user_id=alice.pk, paper_id=paper.pk) == 0
    paper.refresh_from_db()
    assert paper.upvotes_count == 0


def test_imported_upvotes_are_added_to_the_count(alice, db):
    paper = make_paper(imported_upvotes=41)
    entry = make_entry(paper, date(2025, 1, 15))
    assert entry.upvotes_count == 41
    assert votes.upvote(user_id=alice.pk, paper_id=paper.pk) == 42
    entry.refresh_from_db()
    assert entry.upvotes_count == 42
    assert votes.remove_upvote(user_id=alice.pk, paper_id=paper.pk) == 41


def test_an_upvote_raises_the_trending_score(alice, entry):
    before = entry.trending_score
    votes.upvote(user_id=alice.pk, paper_id=entry.paper_id)
    entry.refresh_from_db()
    assert entry.trending_score > before
    assert entry.trending_score == pytest.approx(
        ranking.trending_score(
            upvotes=1,
            comments=0,
            stars_per_week=0.0,
            entered_at=entry.submitted_at,
            weights=votes.weights(),
        )
    )


def test_an_upvote_on_a_paper_not_on_the_daily_list_counts_on_the_paper(alice, paper):
    assert votes.upvote(user_id=alice.pk, paper_id=paper.pk) == 1
    assert not DailyEntry.objects.exists()


def test_user_upvoted_ids_lists_only_that_users_votes(alice, bob, db):
    papers = [make_paper() for _ in range(3)]
    votes.upvote(user_id=alice.pk, paper_id=papers[0].pk)
    votes.upvote(user_id=bob.pk, paper_id=papers[1].pk)
    ids = [p.pk for p in papers]
    assert votes.user_upvoted_ids(alice, ids) == {papers[0].pk}
    assert votes.user_upvoted_ids(alice, []) == set()


def test_recompute_all_trending_rescores_every_entry(alice, db, settings):
    entries = [make_entry(make_paper(imported_upvotes=n), date(2025, 1, 15)) for n in (1, 5)]
    settings.PAPERBOY_TRENDING = {**settings.PAPERBOY_TRENDING, "decay_hours": 6}
    assert votes.recompute_all_trending(batch_size=1) == 2
    for entry in entries:
        old = entry.trending_score
        entry.refresh_from_db()
        assert entry.trending_score > old  # a shorter half-life weighs the epoch age more


# --- Concurrency -----------------------------------------------------------------------------


def run_at_once(calls):
    """Run each call in its own thread, released together; re-raise the first error."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
        except BaseException as exc:  # re-raised in the test thread below
            errors.append(exc)
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a voting thread hung"
    if errors:
        raise errors[0]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_clicks_by_one_user_give_one_vote(alice):
    paper = make_paper()
    entry = make_entry(paper, date(2025, 1, 15))
    for _ in range(3):  # a race can be lucky once; three rounds make a pass meaningful
        run_at_once([lambda: votes.upvote(user_id=alice.pk, paper_id=paper.pk)] * 4)
        assert Upvote.objects.filter(user=alice, paper=paper).count() == 1
        entry.refresh_from_db()
        paper.refresh_from_db()
        assert (paper.upvotes_count, entry.upvotes_count) == (1, 1)
        votes.remove_upvote(user_id=alice.pk, paper_id=paper.pk)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_upvotes_by_many_users_are_all_counted():
    users = [make_user(f"reader{i}") for i in range(8)]
    paper = make_paper(imported_upvotes=2)
    entry = make_entry(paper, date(2025, 1, 15))
    run_at_once([lambda u=u: votes.upvote(user_id=u.pk, paper_id=paper.pk) for u in users])
    paper.refresh_from_db()
    entry.refresh_from_db()
    assert Upvote.objects.filter(paper=paper).count() == 8
    assert (paper.upvotes_count, entry.upvotes_count) == (10, 10)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_upvotes_and_removals_leave_an_exact_count():
    users = [make_user(f"reader{i}") for i in range(8)]
    paper = make_paper()
    for u in users[:4]:
        votes.upvote(user_id=u.pk, paper_id=paper.pk)
    calls = [lambda u=u: votes.remove_upvote(user_id=u.pk, paper_id=paper.pk) for u in users[:4]]
    calls += [lambda u=u: votes.upvote(user_id=u.pk, paper_id=paper.pk) for u in users[4:]]
    run_at_once(calls)
    paper.refresh_from_db()
    assert set(Upvote.objects.values_list("user_id", flat=True)) == {u.pk for u in users[4:]}
    assert paper.upvotes_count == 4
