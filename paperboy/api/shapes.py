"""Papers and daily entries as Hugging Face's JSON shapes (``/api/daily_papers`` and friends).

Field names follow huggingface.co so that ``huggingface_hub.HfApi`` reads them unchanged. Two
dates: ``paper.publishedAt`` is the arXiv date, the outer ``publishedAt`` (and
``paper.submittedOnDailyAt``) the moment the paper entered the daily list. No queries are made
here beyond what the caller prefetched: ``authorships__author`` for the author list, and
``organization``/``daily`` related objects through ``select_related``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from paperboy.feed.models import DailyEntry
from paperboy.papers.models import Organization, Paper, PaperAuthor


def iso(value: datetime | None) -> str | None:
    """``2026-02-26T09:10:11.000Z``, the way the Hub writes timestamps."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def organization(org: Organization | None) -> dict[str, Any] | None:
    if org is None:
        return None
    return {
        "_id": str(org.pk),
        "name": org.slug,
        "fullname": org.name,
        "avatar": org.avatar_url or None,
    }


def submitter(entry: DailyEntry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    user = entry.submitted_by if entry.submitted_by_id else None
    if user is not None:
        fullname = user.get_full_name() or user.username
        return {
            "_id": str(user.pk),
            "name": user.username,
            "user": user.username,
            "fullname": fullname,
            "avatarUrl": None,
            "type": "user",
            "isPro": False,
        }
    if entry.external_submitter:
        name = entry.external_submitter
        return {
            "_id": "",
            "name": name,
            "user": name,
            "fullname": name,
            "avatarUrl": None,
            "type": "user",
            "isPro": False,
        }
    return None


def entry_of(paper: Paper) -> DailyEntry | None:
    """The paper's daily entry when it was loaded alongside (never queries for it)."""
    if "daily" in paper._state.fields_cache:
        return paper._state.fields_cache["daily"]
    try:
        return paper.daily
    except ObjectDoesNotExist:
        return None


def _links(paper: Paper) -> dict[str, Any]:
    return {
        "projectPage": paper.project_page or None,
        "githubRepo": paper.github_repo or None,
        "githubStars": paper.github_stars,
        "ai_summary": paper.ai_summary or None,
        "ai_keywords": list(paper.ai_keywords or []),
    }


def authors_by_paper(paper_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """(author id, name) in order for many papers, in one query and without model instances
    (a list of 50 papers has hundreds of authors: instantiating them was most of the time)."""
    found: dict[int, list[tuple[int, str]]] = {pk: [] for pk in paper_ids}
    rows = (
        PaperAuthor.objects.filter(paper_id__in=paper_ids)
        .order_by("paper_id", "position")
        .values_list("paper_id", "author_id", "author__name")
    )
    for paper_id, author_id, name in rows:
        found[paper_id].append((author_id, name))
    return found


def paper(
    p: Paper, entry: DailyEntry | None = None, authors: list[tuple[int, str]] | None = None
) -> dict[str, Any]:
    """The ``paper`` object (also the body of ``GET /api/papers/<id>``). ``authors`` comes
    from ``authors_by_paper``; without it, the prefetched ``authorships__author`` are used."""
    if authors is None:
        authors = [(a.author_id, a.author.name) for a in p.authorships.all()]
    shown_org = (entry.organization if entry and entry.organization_id else None) or (
        p.organization if p.organization_id else None
    )
    data: dict[str, Any] = {
        "id": p.arxiv_id,
        "authors": [{"_id": str(pk), "name": name, "hidden": False} for pk, name in authors],
        "publishedAt": iso(p.published_at),
        "title": p.title,
        "summary": p.abstract,
        "upvotes": p.upvotes_count,
        "numComments": p.comments_count,
        "discussionId": str(p.pk),
        **_links(p),
        "organization": organization(shown_org),
        "categories": p.category_codes() if _prefetched(p, "categories") else None,
    }
    if data["categories"] is None:
        del data["categories"]
    if entry is not None:
        data["submittedOnDailyAt"] = iso(entry.submitted_at)
        data["submittedOnDailyBy"] = submitter(entry)
    return data


def _prefetched(obj, name: str) -> bool:
    return name in getattr(obj, "_prefetched_objects_cache", {})


def item(
    p: Paper, entry: DailyEntry | None, authors: list[tuple[int, str]] | None = None
) -> dict[str, Any]:
    """One item of ``/api/daily_papers`` or ``/api/papers/search``."""
    shown_org = (entry.organization if entry and entry.organization_id else None) or (
        p.organization if p.organization_id else None
    )
    return {
        "paper": paper(p, entry, authors),
        "publishedAt": iso(entry.submitted_at if entry else p.published_at),
        "title": p.title,
        "summary": p.abstract,
        "mediaUrls": [],
        "thumbnail": None,
        "numComments": p.comments_count,
        "submittedBy": submitter(entry),
        "organization": organization(shown_org),
        "isAuthorParticipating": False,
        **_links(p),
    }


def daily_item(entry: DailyEntry, authors: list[tuple[int, str]] | None = None) -> dict[str, Any]:
    return item(entry.paper, entry, authors)
