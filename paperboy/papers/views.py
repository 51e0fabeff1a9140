"""The paper page: full abstract, ordered authors, organization, links; the community's parts
(upvote, verified authors and claims, discussion) are their apps' template tags
(``feed/templatetags/votes.py``, ``accounts/templatetags/claims.py``,
``comments/templatetags/discussion.py``), so the catalog imports none of them."""

from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.views.decorators.vary import vary_on_headers

from paperboy.lib import cardstate
from paperboy.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperboy.lib.pagecache import cache_for_visitors
from paperboy.papers.markdown import paper_markdown
from paperboy.papers.models import Paper, PaperAuthor


def _get_paper(arxiv_id: str) -> Paper:
    paper = (
        Paper.objects.visible()
        .select_related("organization", "daily", "daily__organization", "daily__submitted_by")
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


def _member_parts(request: HttpRequest, arxiv_id: str) -> dict:
    """What the page's member parts (claim box, discussion) need, for a member served the
    visitors' copy (``lib.pagecache``). The paper is read only if a part is rendered: parts
    shared among members (``pagecache.share_part``) are answered from their key, which reads
    ``arxiv_id``. The upvote and Save buttons are card parts (``card``)."""

    def paper() -> Paper:
        found = (
            Paper.objects.visible()
            .prefetch_related(
                Prefetch("authorships", queryset=PaperAuthor.objects.select_related("author"))
            )
            .filter(arxiv_id=arxiv_id)
            .first()
        )
        if found is None:  # gone since the copy was made: the parts show nothing of it
            raise Http404(f"There is no paper {arxiv_id[:64]} in the catalog.")
        return found

    # member_part: the parts compute the reader's claim themselves.
    return {"paper": SimpleLazyObject(paper), "arxiv_id": arxiv_id, "member_part": True}


@vary_on_headers("Accept")  # outside the page cache: its copies answer with Vary too
@cache_for_visitors(members=_member_parts)
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
    if _wants_markdown(request):
        response = _markdown_response(paper, entry, organization)
        patch_vary_headers(response, ["Accept"])
        return response
    response = render(
        request,
        "papers/detail.html",
        {
            "paper": paper,
            "entry": entry,
            "organization": organization,
            # The upvote and Save buttons are card parts with the reader's state
            # (lib/cardstate.py); the claims and the discussion come from their apps' tags.
            "card": SimpleNamespace(
                paper=paper, state=cardstate.for_reader(request.user, [paper.pk])[paper.pk]
            ),
        },
    )
    patch_vary_headers(response, ["Accept"])
    return response


def _wants_markdown(request: HttpRequest) -> bool:
    """``Accept: text/markdown`` (agents) gets the Markdown page; browsers never send it."""
    accept = request.headers.get("Accept", "")
    return "text/markdown" in accept and "text/html" not in accept


def _markdown_response(paper: Paper, entry, organization) -> HttpResponse:
    text = paper_markdown(paper, entry=entry, organization=organization, site_url=settings.SITE_URL)
    return HttpResponse(text, content_type="text/markdown; charset=utf-8")


def detail_markdown(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """``/papers/<id>.md``: the paper page as Markdown."""
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId as exc:
        raise Http404(str(exc)) from None
    if str(parsed.base) != arxiv_id:
        return redirect("papers:markdown", parsed.base, permanent=True)
    paper = _get_paper(parsed.base)
    try:
        entry = paper.daily
    except ObjectDoesNotExist:
        entry = None
    organization = (entry.organization if entry else None) or paper.organization
    return _markdown_response(paper, entry, organization)
