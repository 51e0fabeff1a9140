"""Upvotes and the counters that follow from them.

Counters are recomputed from rows (never incremented) while the paper row is locked, so two
concurrent clicks give one vote and the right count on SQLite and on PostgreSQL alike.
"""

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from paperboy.feed import ranking
from paperboy.feed.models import DailyEntry, Upvote
from paperboy.papers.models import Paper, stars_gained


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
    """Rescore every daily entry, e.g. after the operator changed the weights.

    Walks the entries by primary key (no cursor held open across writes) and writes each
    batch with one ``executemany`` UPDATE: Django's ``bulk_update`` builds a CASE expression
    per column that grows with the batch, which made a 100k-entry rescore take minutes.
    """
    w = weights()
    qn = connection.ops.quote_name
    meta = DailyEntry._meta
    sql = "UPDATE {} SET {} = %s, {} = %s WHERE {} = %s".format(
        qn(meta.db_table),
        qn(meta.get_field("upvotes_count").column),
        qn(meta.get_field("trending_score").column),
        qn(meta.pk.column),
    )
    done = 0
    last_pk = 0
    while True:
        rows = list(
            DailyEntry.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list(
                "pk", "paper_id", "submitted_at", "paper__upvotes_count", "paper__comments_count"
            )[:batch_size]
        )
        if not rows:
            return done
        gains = stars_gained(row[1] for row in rows)
        params = [
            (
                upvotes,
                ranking.trending_score(
                    upvotes=upvotes,
                    comments=comments,
                    stars_per_week=float(gains.get(paper_id, 0)),
                    entered_at=submitted_at,
                    weights=w,
                ),
                pk,
            )
            for pk, paper_id, submitted_at, upvotes, comments in rows
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, params)
        done += len(rows)
        last_pk = rows[-1][0]


def user_upvoted_ids(user, paper_ids: list[int]) -> set[int]:
    """Which of these papers the user has upvoted: one query for a whole list page."""
    if not user.is_authenticated or not paper_ids:
        return set()
    return set(
        Upvote.objects.filter(user=user, paper_id__in=paper_ids).values_list("paper_id", flat=True)
    )
