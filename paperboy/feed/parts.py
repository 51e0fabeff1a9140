"""Feed's member parts of a paper card (the ``lib/cardstate.py`` hooks of ``FeedConfig``).

``card_state``: for a page of cards, in one query, whether the reader upvoted each paper, its
live upvote count and its arXiv id (what the button needs: a member's page is cached for
everyone, so the count on it may be ``PAPERBOY_LIST_CACHE_SECONDS`` old, but their own vote
must show at once). ``card_part("upvote")``: the upvote form of ``feed/partials.html#upvote``,
rendered once per process per state with stand-ins, then filled in by ``str.replace``: the
markup stays in the template, a card costs microseconds.
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace
from urllib.parse import quote

from django.db.models import Exists, OuterRef
from django.template.loader import get_template
from django.utils.html import escape

from paperboy.feed.models import Upvote
from paperboy.lib.cardstate import PagePart, State
from paperboy.papers.models import Paper

# Stand-ins no real value contains (letters only, so URL quoting and escaping keep them).
_ID, _COUNT, _NEXT, _TOKEN = "zqArxivIdqz", "zqCountqz", "zqNextUrlqz", "zqCsrfTokenqz"
# What ``reverse`` leaves unquoted in a path argument (Django's RFC 3986 set).
_URL_SAFE = "/~:@!$&'()*+,;="


def card_state(user, paper_ids: list[int]) -> dict[int, State]:
    mine = Upvote.objects.filter(user=user, paper=OuterRef("pk"))
    rows = (
        Paper.objects.filter(pk__in=paper_ids)
        .annotate(mine=Exists(mine))
        .values_list("pk", "arxiv_id", "upvotes_count", "mine")
    )
    return {
        pk: {"upvoted": bool(upvoted), "upvotes": count, "arxiv_id": arxiv_id}
        for pk, arxiv_id, count, upvoted in rows
    }


@cache
def _upvote_form(upvoted: bool, horizontal: bool) -> str:
    """The member's upvote form with stand-ins for the paper, count, page and token."""
    return get_template("feed/partials.html#upvote").render(
        {
            "paper": SimpleNamespace(arxiv_id=_ID),
            "count": _COUNT,
            "upvoted": upvoted,
            "horizontal": horizontal,
            "login_url": "",
            "next_url": _NEXT,
            "csrf_token": _TOKEN,
            "request": SimpleNamespace(
                user=SimpleNamespace(is_authenticated=True), get_full_path=lambda: _NEXT
            ),
        }
    )


def upvote_form(
    *, arxiv_id: str, count: int, upvoted: bool, page: PagePart, horizontal: bool = False
) -> str:
    """``feed/partials.html#upvote`` as a signed-in member sees it, without rendering it."""
    return (
        _upvote_form(bool(upvoted), horizontal)
        .replace(_ID, escape(quote(arxiv_id, safe=_URL_SAFE)))
        .replace(_COUNT, str(count) if count else "")
        .replace(_NEXT, escape(page.next_url))
        .replace(_TOKEN, page.csrf_token)
    )


def card_part(name: str, paper_id: int, state: State, page: PagePart) -> str:
    if name != "upvote":
        raise LookupError(f"feed has no card part {name!r}")
    return upvote_form(
        arxiv_id=state["arxiv_id"],
        count=state["upvotes"],
        upvoted=state["upvoted"],
        page=page,
    )
