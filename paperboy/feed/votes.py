"""Upvotes and the counters that follow from them.

Counters are recomputed from rows (never incremented) while the paper row is locked, so two
concurrent clicks give one vote and the right count on SQLite and on PostgreSQL alike.
"""

from django.conf import settings
from django.db import IntegrityError, transaction

from paperboy.feed import ranking
from paperboy.feed.models import DailyEntry, Upvote
from paperboy.ingest.models import stars_gained
from paperboy.papers.models import Paper


def weights() -> ranking.Weights:
    return ranking.Weights.from_settings(settings.PAPERBOY_TRENDING)


def refresh_counters(paper_id: int) -> int:
    """Recount a paper's upvotes, store them on the paper and its daily entry, rescore it.

    Trending's star velocity is the GitHub stars gained over the last 7 days, from the star
    history that ``ingest.github_stars`` keeps. Call inside a transaction that holds the
    paper's row lock. Returns the new count.
    """
    paper = Paper.objects.only("imported_upvotes", "comments_count").get(pk=paper_id)
    count = Upvote.objects.filter(paper_id=paper_id).count() + paper.imported_upvotes
    Paper.objects.filter(pk=paper_id).update(upvotes_count=count)
    entry = DailyEntry.objects.filter(paper_id=paper_id).only("submitted_at").first()
    if entry is not None:
        score = ranking.trending_score(
            upvotes=count,
            comments=paper.comments_count,
            stars_per_week=float(stars_gained([paper_id]).get(paper_id, 0)),
            entered_at=entry.submitted_at,
            weights=weights(),
        )
        DailyEntry.objects.filter(pk=entry.pk).update(upvotes_count=count, trending_score=score)
    return count


def _lock(paper_id: int) -> None:
    # select_for_update is a no-op on SQLite, where IMMEDIATE transactions already serialize.
    list(Paper.objects.select_for_update().filter(pk=paper_id).values_list("pk", flat=True))


def upvote(*, user_id: int, paper_id: int) -> int:
    """Add the user's upvote (no-op when it exists). Returns the paper's new count."""
    with transaction.atomic():
        _lock(paper_id)
        try:
            with transaction.atomic():
                Upvote.objects.create(user_id=user_id, paper_id=paper_id)
        except IntegrityError:
            pass  # the user had already upvoted: one vote per user per paper
        return refresh_counters(paper_id)


def remove_upvote(*, user_id: int, paper_id: int) -> int:
    with transaction.atomic():
        _lock(paper_id)
        Upvote.objects.filter(user_id=user_id, paper_id=paper_id).delete()
        return refresh_counters(paper_id)


def recompute_all_trending(batch_size: int = 2000) -> int:
    """Rescore every daily entry, e.g. after the operator changed the weights."""
    w = weights()
    done = 0
    entries = DailyEntry.objects.select_related("paper").only(
        "submitted_at", "paper__upvotes_count", "paper__comments_count"
    )
    batch = []

    def flush() -> None:
        gains = stars_gained(e.paper_id for e in batch)
        for entry in batch:
            entry.upvotes_count = entry.paper.upvotes_count
            entry.trending_score = ranking.trending_score(
                upvotes=entry.paper.upvotes_count,
                comments=entry.paper.comments_count,
                stars_per_week=float(gains.get(entry.paper_id, 0)),
                entered_at=entry.submitted_at,
                weights=w,
            )
        DailyEntry.objects.bulk_update(batch, ["upvotes_count", "trending_score"])

    for entry in entries.iterator(chunk_size=batch_size):
        batch.append(entry)
        if len(batch) >= batch_size:
            flush()
            done += len(batch)
            batch = []
    if batch:
        flush()
        done += len(batch)
    return done


def user_upvoted_ids(user, paper_ids: list[int]) -> set[int]:
    """Which of these papers the user has upvoted: one query for a whole list page."""
    if not user.is_authenticated or not paper_ids:
        return set()
    return set(
        Upvote.objects.filter(user=user, paper_id__in=paper_ids).values_list("paper_id", flat=True)
    )
