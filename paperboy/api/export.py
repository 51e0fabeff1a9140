"""Bulk export as JSON Lines, streamed in constant memory: papers, votes and daily entries.

Each function yields one JSON document per row (no trailing newline), reading the table with
``iterator(chunk_size=…)`` in primary-key order so that a dump of a million rows never holds
more than a chunk. Used by ``paperboy export votes|daily`` and ``GET /api/export/<kind>``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db.models import Prefetch

from paperboy.api.shapes import iso
from paperboy.feed.models import DailyEntry, Upvote
from paperboy.ingest.jsonl import record_to_json
from paperboy.papers.models import Paper, PaperAuthor

CHUNK = 2000


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def papers() -> Iterator[str]:
    """The catalog in the paper JSONL format that ``paperboy import papers`` reads."""
    qs = (
        Paper.objects.select_related("organization")
        .prefetch_related(
            Prefetch("authorships", queryset=PaperAuthor.objects.select_related("author")),
            "categories",
        )
        .order_by("pk")
    )
    for paper in qs.iterator(chunk_size=CHUNK):
        yield _dumps(record_to_json(paper))


def votes() -> Iterator[str]:
    """One line per upvote: who, which paper, when."""
    rows = (
        Upvote.objects.order_by("pk")
        .values_list("paper__arxiv_id", "user__username", "created_at")
        .iterator(chunk_size=CHUNK)
    )
    for arxiv_id, username, created_at in rows:
        yield _dumps({"paper": arxiv_id, "user": username, "created_at": iso(created_at)})


def daily() -> Iterator[str]:
    """One line per daily-list entry."""
    rows = (
        DailyEntry.objects.order_by("pk")
        .values_list(
            "paper__arxiv_id",
            "day",
            "submitted_at",
            "submitted_by__username",
            "external_submitter",
            "organization__slug",
            "upvotes_count",
            "trending_score",
        )
        .iterator(chunk_size=CHUNK)
    )
    for arxiv_id, day, at, username, external, org, upvotes, score in rows:
        yield _dumps(
            {
                "paper": arxiv_id,
                "day": day.isoformat(),
                "submitted_at": iso(at),
                "submitted_by": username or external or None,
                "organization": org,
                "upvotes": upvotes,
                "trending_score": round(score, 6),
            }
        )


EXPORTS = {"papers": papers, "votes": votes, "daily": daily}
