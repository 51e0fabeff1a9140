"""The trending formula in paperboy/feed/ranking.py: pure, no database."""

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperboy.feed import ranking

W = ranking.Weights()
T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


def score(upvotes=0, comments=0, stars=0.0, at=T0, weights=W):
    return ranking.trending_score(
        upvotes=upvotes, comments=comments, stars_per_week=stars, entered_at=at, weights=weights
    )


def decayed(upvotes=0, comments=0, stars=0.0, at=T0, now=T0, weights=W):
    return ranking.decayed_points(
        upvotes=upvotes,
        comments=comments,
        stars_per_week=stars,
        entered_at=at,
        now=now,
        weights=weights,
    )


def test_more_upvotes_rank_higher_on_the_same_day():
    assert score(upvotes=10) > score(upvotes=9) > score(upvotes=0)


def test_a_newer_paper_with_equal_points_ranks_higher():
    assert score(upvotes=5, at=T0 + timedelta(hours=1)) > score(upvotes=5, at=T0)


def test_points_double_after_one_half_life_to_tie_with_a_newer_paper():
    # log10(1 + p) is not exactly log10(p), so "double" ties only as points grow large.
    old = score(upvotes=2 * 10_000 - 1, at=T0)
    new = score(upvotes=10_000 - 1, at=T0 + timedelta(hours=W.decay_hours))
    assert old == pytest.approx(new, abs=1e-4)


def test_one_half_life_is_worth_log10_2_of_score():
    later = T0 + timedelta(hours=W.decay_hours)
    assert score(upvotes=3, at=later) - score(upvotes=3, at=T0) == pytest.approx(math.log10(2))


def test_a_shorter_half_life_favours_the_newer_paper():
    older, newer = {"upvotes": 30, "at": T0}, {"upvotes": 10, "at": T0 + timedelta(hours=24)}
    slow = ranking.Weights(decay_hours=72)
    fast = ranking.Weights(decay_hours=6)
    assert score(**older, weights=slow) > score(**newer, weights=slow)
    assert score(**older, weights=fast) < score(**newer, weights=fast)


def test_decayed_points_halve_every_half_life():
    assert decayed(upvotes=8, now=T0) == 8
    assert decayed(upvotes=8, now=T0 + timedelta(hours=36)) == pytest.approx(4)
    assert decayed(upvotes=8, now=T0 + timedelta(hours=72)) == pytest.approx(2)


def test_decayed_points_do_not_grow_before_the_entry_time():
    assert decayed(upvotes=8, now=T0 - timedelta(hours=5)) == 8


def test_points_apply_the_weights():
    w = ranking.Weights(upvote=2.0, comment=0.5, star=0.1)
    assert ranking.points(upvotes=3, comments=4, stars_per_week=50, weights=w) == 6 + 2 + 5


def test_negative_inputs_count_as_zero():
    assert ranking.points(upvotes=-3, comments=-1, stars_per_week=-9.0, weights=W) == 0


def test_a_zero_comment_weight_ignores_comments():
    w = ranking.Weights(comment=0.0)
    assert score(upvotes=4, comments=100, weights=w) == score(upvotes=4, weights=w)


def test_weights_come_from_settings_values_as_floats():
    w = ranking.Weights.from_settings(
        {"upvote": "2", "comment": 1, "star": "0.25", "decay_hours": "12"}
    )
    assert w == ranking.Weights(upvote=2.0, comment=1.0, star=0.25, decay_hours=12.0)


def test_the_score_does_not_depend_on_the_time_zone_of_the_entry_time():
    from zoneinfo import ZoneInfo

    assert score(upvotes=5, at=T0.astimezone(ZoneInfo("Asia/Tokyo"))) == score(upvotes=5, at=T0)


def still_worth(upvotes, comments, at, now):
    """``1 + points`` halved every half-life since ``at``: what the log score orders by."""
    p = ranking.points(upvotes=upvotes, comments=comments, stars_per_week=0, weights=W)
    return (1 + p) * 2 ** (-(now - at).total_seconds() / 3600 / W.decay_hours)


paper = st.tuples(st.integers(0, 5000), st.integers(0, 500), st.integers(0, 14 * 24 * 60))


@given(a=paper, b=paper, hours_later=st.integers(0, 24 * 365))
def test_stored_scores_order_papers_as_their_decayed_points_do_at_any_later_time(a, b, hours_later):
    """The invariant that lets the score live in an indexed column: the order it gives is the
    order of the papers' decayed points, whatever "now" is, so it never needs a clock."""
    (up_a, com_a, min_a), (up_b, com_b, min_b) = a, b
    at_a, at_b = T0 + timedelta(minutes=min_a), T0 + timedelta(minutes=min_b)
    now = T0 + timedelta(days=15, hours=hours_later)
    by_score = score(up_a, com_a, at=at_a) - score(up_b, com_b, at=at_b)
    worth_a, worth_b = still_worth(up_a, com_a, at_a, now), still_worth(up_b, com_b, at_b, now)
    if abs(by_score) > 1e-9:  # an exact tie has no order to compare
        assert (by_score > 0) == (worth_a > worth_b)


def test_explain_says_what_counts_and_how_much_is_left():
    text = ranking.explain(
        upvotes=12,
        comments=3,
        stars_per_week=40,
        entered_at=T0,
        now=T0 + timedelta(hours=36),
        weights=W,
    )
    # 12 + 1.5 + 4 = 17.5 points, halved once.
    assert text == (
        "12 upvotes, 3 comments, +40 GitHub stars this week; on the list for 36 h, "
        "so worth 8.8 points now (points halve every 36 h)"
    )


def test_explain_uses_singulars_omits_zeros_and_switches_to_days():
    text = ranking.explain(
        upvotes=1,
        comments=0,
        stars_per_week=0,
        entered_at=T0,
        now=T0 + timedelta(days=3),
        weights=W,
    )
    assert text.startswith("1 upvote; on the list for 3 days, so worth 0.2 points now")
    one_comment = ranking.explain(
        upvotes=0, comments=1, stars_per_week=0, entered_at=T0, now=T0, weights=W
    )
    assert one_comment.startswith("0 upvotes, 1 comment; on the list for 0 h")
