"""The paper page: full abstract, ordered authors, organization, links and the upvote button."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from paperboy.feed import votes
from paperboy.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperboy.papers.models import Paper, PaperAuthor


def _get_paper(arxiv_id: str) -> Paper:
    paper = (
        Paper.objects.visible()
        .select_related("organization", "daily", "daily__organization")
        .prefetch_related(
            Prefetch("authorships", queryset=PaperAuthor.objects.select_related("author")),
            "categories",
        )
        .filter(arxiv_id=arxiv_id)
        .first()
    )
    if paper is None:
        raise Http404(f"There is no paper {arxiv_id[:64]} in the catalog.")
    return paper


def detail(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId as exc:
        raise Http404(str(exc)) from None
    if str(parsed.base) != arxiv_id:
        # 2510.12345v2, arXiv:2510.12345 and friends all live at the unversioned address.
        return redirect("papers:detail", parsed.base, permanent=True)
    paper = _get_paper(parsed.base)
    try:
        entry = paper.daily
    except ObjectDoesNotExist:
        entry = None
    organization = (entry.organization if entry else None) or paper.organization
    return render(
        request,
        "papers/detail.html",
        {
            "paper": paper,
            "entry": entry,
            "organization": organization,
            "upvoted": paper.pk in votes.user_upvoted_ids(request.user, [paper.pk]),
        },
    )
