"""The trending formula: pure functions, no ORM.

A paper's trending score is

    score = log10(1 + points) + log10(2) * hours_since_epoch(entered_list) / half_life_hours

    points = upvote_weight * upvotes + comment_weight * comments
             + star_weight * github_stars_gained_last_7_days

so ordering by score is the same as ordering by ``points * 2 ** (-age / half_life)``: points
halve every ``half_life_hours`` after the paper entered the daily list. Because the age term
is anchored at the Unix epoch rather than at "now", the relative order of two papers never
changes with the clock, only when their points change. The score is therefore stored in an
indexed column and recomputed only when an input changes (a vote, a comment, a star refresh)
or when an operator changes the weights (``paperboy manage recompute_trending``), the way
lobste.rs stores ``hotness``.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime

LOG2 = math.log10(2)


@dataclass(frozen=True)
class Weights:
    upvote: float = 1.0
    comment: float = 0.5
    star: float = 0.1
    decay_hours: float = 36.0

    @classmethod
    def from_settings(cls, values: dict) -> "Weights":
        return cls(**{k: float(v) for k, v in values.items()})


def points(*, upvotes: int, comments: int, stars_per_week: float, weights: Weights) -> float:
    return (
        weights.upvote * max(upvotes, 0)
        + weights.comment * max(comments, 0)
        + weights.star * max(stars_per_week, 0.0)
    )


def trending_score(
    *,
    upvotes: int,
    comments: int,
    stars_per_week: float,
    entered_at: datetime,
    weights: Weights,
) -> float:
    hours = entered_at.astimezone(UTC).timestamp() / 3600.0
    p = points(upvotes=upvotes, comments=comments, stars_per_week=stars_per_week, weights=weights)
    return math.log10(1.0 + p) + LOG2 * hours / weights.decay_hours


def decayed_points(
    *,
    upvotes: int,
    comments: int,
    stars_per_week: float,
    entered_at: datetime,
    now: datetime,
    weights: Weights,
) -> float:
    """The points a paper still carries ``now``: what the ranking effectively compares."""
    age_hours = max((now - entered_at).total_seconds() / 3600.0, 0.0)
    p = points(upvotes=upvotes, comments=comments, stars_per_week=stars_per_week, weights=weights)
    return p * 2 ** (-age_hours / weights.decay_hours)


def explain(
    *,
    upvotes: int,
    comments: int,
    stars_per_week: float,
    entered_at: datetime,
    now: datetime,
    weights: Weights,
) -> str:
    """A one-line "why is this here" for a trending card."""
    parts = [f"{upvotes} upvote{'s' if upvotes != 1 else ''}"]
    if comments:
        parts.append(f"{comments} comment{'s' if comments != 1 else ''}")
    if stars_per_week:
        parts.append(f"+{stars_per_week:g} GitHub stars this week")
    age_hours = max((now - entered_at).total_seconds() / 3600.0, 0.0)
    age = f"{age_hours:.0f} h" if age_hours < 48 else f"{age_hours / 24:.0f} days"
    now_points = decayed_points(
        upvotes=upvotes,
        comments=comments,
        stars_per_week=stars_per_week,
        entered_at=entered_at,
        now=now,
        weights=weights,
    )
    return (
        f"{', '.join(parts)}; on the list for {age}, so worth {now_points:.1f} points now "
        f"(points halve every {weights.decay_hours:g} h)"
    )
