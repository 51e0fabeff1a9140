"""engine.py: recommendations, "not interested", the seen ledger, reset, privacy."""

import pytest

from paperboy.feed import votes
from paperboy.foryou import engine
from paperboy.foryou.models import Dismissal, MemberModel, SeenPaper
from paperboy.foryou.tasks import retrain


def upvote(user, *papers):
    for p in papers:
        votes.upvote(user_id=user.pk, paper_id=p.pk)


def ids(recs):
    return [r.paper.pk for r in recs]


def test_it_recommends_papers_of_the_upvoted_topic_first_and_says_why(alice, topics):
    upvote(alice, *topics["graphs"][:3])
    retrain(alice.pk)
    recs = engine.recommend(alice, limit=5)
    assert ids(recs) and set(ids(recs)) <= {p.pk for p in topics["graphs"][3:]}
    assert all(r.reasons and r.reasons[0].kind == "similar" for r in recs)
    assert recs[0].reasons[0].paper in topics["graphs"][:3]
    assert recs[0].reasons[0].url == recs[0].reasons[0].paper.get_absolute_url()


def test_with_no_signal_it_says_it_shows_trending(alice, topics):
    from paperboy.testing import make_entry

    for p in topics["vision"][:3]:
        make_entry(p)
    assert not engine.has_signals(alice)
    recs = engine.recommend(alice, limit=5)
    assert ids(recs) and all(r.reasons[0].kind == "trending" for r in recs)


def test_a_dismissed_paper_never_returns_and_its_neighbours_drop(alice, topics):
    upvote(alice, topics["graphs"][0], topics["vision"][0])
    retrain(alice.pk)
    before = ids(engine.recommend(alice, limit=30))
    target = topics["vision"][1]
    assert target.pk in before
    engine.dismiss(alice, target)
    retrain(alice.pk)
    after = ids(engine.recommend(alice, limit=30))
    assert target.pk not in after
    vision = {p.pk for p in topics["vision"]}
    in_top = lambda order: len(vision & set(order[:7]))  # noqa: E731
    assert in_top(before) >= 2 and in_top(after) < in_top(before) / 2


def test_dismissing_twice_or_a_missing_paper_is_refused_and_changes_nothing(alice, topics):
    paper = topics["robots"][0]
    engine.dismiss(alice, paper)
    with pytest.raises(engine.AlreadyDismissed) as twice:
        engine.dismiss(alice, paper)
    assert twice.value.status == 409
    with pytest.raises(engine.PaperNotFound) as missing:
        engine.dismiss(alice, 10**9)
    assert missing.value.status == 404
    assert Dismissal.objects.filter(member=alice).count() == 1
    engine.undismiss(alice, paper)
    with pytest.raises(engine.NotDismissed):
        engine.undismiss(alice, paper)
    assert not Dismissal.objects.filter(member=alice).exists()


def test_unseen_papers_come_first_and_the_ledger_counts_new_ones(alice, topics):
    upvote(alice, topics["speech"][0])
    retrain(alice.pk)
    first = ids(engine.recommend(alice, limit=3))
    assert engine.mark_seen(alice, first, "page") == 3
    assert engine.mark_seen(alice, first, "digest") == 0
    again = ids(engine.recommend(alice, limit=40))
    assert set(again[: len(again) - 3]).isdisjoint(first) and set(again[-3:]) == set(first)
    assert SeenPaper.objects.filter(member=alice, via="page").count() == 3


def test_reset_forgets_the_learnt_signals_but_not_the_upvotes(alice, topics):
    upvote(alice, *topics["robots"][:2])
    retrain(alice.pk)
    engine.dismiss(alice, topics["robots"][2])
    engine.reset(alice)
    retrain(alice.pk)
    assert not engine.has_signals(alice)
    assert MemberModel.objects.get(member=alice).n_positives == 0
    assert alice.upvote_set.count() == 2
    recs = engine.recommend(alice, limit=40)
    assert topics["robots"][2].pk not in ids(recs)  # dismissed papers stay away


def test_a_members_model_is_theirs_alone(alice, bob, topics):
    upvote(alice, *topics["graphs"][:4])
    engine.dismiss(alice, topics["speech"][0])
    retrain(alice.pk)
    retrain(bob.pk)
    upvote(bob, topics["vision"][0])
    retrain(bob.pk)
    bob_recs = engine.recommend(bob, limit=40)
    assert topics["speech"][0].pk in ids(bob_recs)  # alice's dismissal is hers
    assert {p.pk for p in topics["vision"][1:4]} & set(ids(bob_recs[:6]))
    assert all(
        r.reasons[0].paper is None or r.reasons[0].paper.pk == topics["vision"][0].pk
        for r in bob_recs
        if r.reasons
    )


def test_show_fewer_like_this_lowers_a_muted_category(alice, topics):
    from paperboy.foryou.models import TopicMute

    upvote(alice, topics["graphs"][0], topics["vision"][0])
    retrain(alice.pk)
    vision = {p.pk for p in topics["vision"]}
    before = ids(engine.recommend(alice, limit=7))
    TopicMute.objects.create(member=alice, kind="category", key="cs.VI")
    after = ids(engine.recommend(alice, limit=7))
    assert len(vision & set(before)) >= 2 and not vision & set(after)


def test_a_followed_author_is_said_and_linked(alice, topics):
    from paperboy.accounts.models import Follow
    from paperboy.papers.models import Author

    author = Author.objects.get(name="Speech Author 1")
    Follow.objects.create(user=alice, author=author)
    upvote(alice, topics["graphs"][0])
    retrain(alice.pk)
    recs = engine.recommend(alice, limit=40)
    by_author = [r for r in recs if r.reasons and r.reasons[0].kind == "author"]
    assert {r.paper.pk for r in by_author} == {
        p.pk for p in topics["speech"] if "Speech Author 1" in p.author_names()
    }
    assert by_author[0].reasons[0].url == f"/authors/{author.pk}"
    assert "Speech Author 1" in by_author[0].reasons[0].text


def test_a_batch_recommends_each_member_their_own_papers_minus_the_excluded(alice, bob, topics):
    upvote(alice, topics["graphs"][0])
    upvote(bob, topics["robots"][0])
    retrain(alice.pk)
    retrain(bob.pk)
    skip = topics["graphs"][1].pk
    batch = engine.recommend_many([alice, bob], limit=3, exclude={alice.pk: {skip}})
    graphs = {p.pk for p in topics["graphs"]}
    robots = {p.pk for p in topics["robots"]}
    assert set(ids(batch[alice.pk])) <= graphs - {skip, topics["graphs"][0].pk}
    assert len(batch[alice.pk]) == 3 and set(ids(batch[bob.pk])) <= robots


def _members_with_every_kind_of_signal(alice, bob, topics, example_lab):
    """Five members: a trained model with a dismissal, a followed author and seen papers; an
    untrained one with a save and a mute; a followed organization only; chosen categories only
    (trending); nothing at all."""
    from paperboy.accounts.models import Follow
    from paperboy.foryou.models import CategoryInterest, TopicMute
    from paperboy.library.models import SavedPaper
    from paperboy.papers.models import Author, Paper
    from paperboy.testing import make_user

    carol, dave, erin = (make_user(name) for name in ("carol", "dave", "erin"))
    Paper.objects.filter(pk=topics["speech"][2].pk).update(organization=example_lab)
    upvote(alice, *topics["graphs"][:3])
    engine.dismiss(alice, topics["graphs"][5])
    Follow.objects.create(user=alice, author=Author.objects.get(name="Speech Author 1"))
    engine.mark_seen(alice, [topics["graphs"][3]], "digest")
    retrain(alice.pk)
    upvote(bob, topics["vision"][0])
    SavedPaper.objects.create(member=bob, paper=topics["robots"][0])
    TopicMute.objects.create(member=bob, kind="category", key="cs.VI")
    Follow.objects.create(user=carol, organization=example_lab)
    CategoryInterest.objects.create(member=dave, category="cs.RO")
    return [alice, bob, carol, dave, erin]


def _plain(recs):
    return [
        (
            r.paper.pk,
            round(r.score, 4),
            [(x.kind, x.text, x.url, x.paper and x.paper.pk) for x in r.reasons],
            r.seen,
        )
        for r in recs
    ]


def test_a_batch_is_each_members_own_recommendation(alice, bob, topics, example_lab):
    members = _members_with_every_kind_of_signal(alice, bob, topics, example_lab)
    skip = {alice.pk: {topics["graphs"][4].pk}}
    batch = engine.recommend_many(members, limit=6, exclude=skip)
    assert list(batch) == [m.pk for m in members]
    for member in members:
        alone = engine.recommend(member, limit=6, exclude=skip.get(member.pk, ()))
        assert _plain(batch[member.pk]) == _plain(alone)
    mine = ids(batch[alice.pk])
    assert topics["graphs"][5].pk not in mine and topics["graphs"][4].pk not in mine
    flags = [r.seen for r in batch[alice.pk]]
    assert flags == sorted(flags)  # seen last
    assert topics["robots"][0].pk not in ids(batch[members[1].pk])  # saved
    assert batch[members[2].pk][0].paper.pk == topics["speech"][2].pk  # the followed lab's


def test_a_batch_reads_signals_with_the_same_queries_for_two_or_twenty_members(db, topics):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from paperboy.testing import make_user

    members = [make_user(f"m{i}") for i in range(20)]
    for i, member in enumerate(members):
        topic = topics[("graphs", "vision", "speech", "robots")[i % 4]]
        upvote(member, topic[i % 3], topic[3 + i % 2])
        retrain(member.pk)
    engine.recommend_many(members[:1], limit=5)  # the window, loaded once per process
    counts = []
    for batch in (members[:2], members):
        with CaptureQueriesContext(connection) as queries:
            engine.recommend_many(batch, limit=5)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_top_rows_are_the_stable_sorts_first_rows_ties_and_exclusions_included():
    import numpy as np

    rng = np.random.default_rng(3)
    scores = rng.integers(0, 5, 200).astype(np.float64)  # many ties
    scores[rng.integers(0, 200, 30)] = -np.inf
    full = np.argsort(-scores, kind="stable")
    for k in (1, 7, 40, 199, 200, 500):
        assert engine._top(scores, k).tolist() == full[:k].tolist()
