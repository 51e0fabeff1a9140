"""Feed's member parts of a paper card (the ``lib/cardstate.py`` hooks of ``FeedConfig``).

``card_state``: for a page of cards, in one query, whether the reader upvoted each paper, its
live upvote count and its arXiv id (what the button needs: a member's page is cached for
everyone, so the count on it may be ``PAPERBOY_LIST_CACHE_SECONDS`` old, but their own vote
must show at once). ``card_part("upvote")``, ``card_part("upvote_wide")`` (the paper page's):
the upvote form of ``feed/partials.html#upvote``,
rendered once per process per state with stand-ins (a ``lib.cardstate.Stencil``), then filled
in: the markup stays in the template, a card costs microseconds.
"""

from __future__ import annotations

import re
from functools import cache
from types import SimpleNamespace
from urllib.parse import quote

from django.db import connection
from django.template.loader import get_template
from django.utils.html import escape

from paperboy.feed.models import Upvote
from paperboy.lib.cardstate import PagePart, State, Stencil, escaped
from paperboy.papers.models import Paper

# Stand-ins no real value contains (letters only, so URL quoting and escaping keep them).
_ID, _COUNT, _NEXT, _TOKEN = "zqArxivIdqz", "zqCountqz", "zqNextUrlqz", "zqCsrfTokenqz"
# What ``reverse`` leaves unquoted in a path argument (Django's RFC 3986 set).
_URL_SAFE = "/~:@!$&'()*+,;="
# An arXiv id as the catalog keeps them: nothing to quote or escape.
_PLAIN_ID = re.compile(r"[A-Za-z0-9./-]+")


@cache
def _state_sql(n: int) -> str:
    quote = connection.ops.quote_name
    paper, upvote = Paper._meta, Upvote._meta

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    return (
        f"SELECT p.{column(paper, 'id')}, p.{column(paper, 'arxiv_id')}, "
        f"p.{column(paper, 'upvotes_count')}, EXISTS (SELECT 1 FROM {quote(upvote.db_table)} u "
        f"WHERE u.{column(upvote, 'paper')} = p.{column(paper, 'id')} "
        f"AND u.{column(upvote, 'user')} = %s) "
        f"FROM {quote(paper.db_table)} p WHERE p.{column(paper, 'id')} IN "
        f"({', '.join(['%s'] * n)})"
    )


def card_state(user, paper_ids: list[int]) -> dict[int, State]:
    # Plain SQL: it runs on every member's page, and building this query through the ORM
    # (Exists, values_list) took ~8x the query itself (1.2 ms vs 0.15 ms, 50 cards, 100k papers;
    # bench/README.md).
    if not paper_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_state_sql(len(paper_ids)), [user.pk, *paper_ids])
        rows = cursor.fetchall()
    return {
        pk: {"upvoted": bool(upvoted), "upvotes": count, "arxiv_id": arxiv_id}
        for pk, arxiv_id, count, upvoted in rows
    }


@cache
def _upvote_form(upvoted: bool, horizontal: bool) -> Stencil:
    """The member's upvote form with stand-ins for the paper, count, page and token."""
    rendered = get_template("feed/partials.html#upvote").render(
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
    return Stencil(rendered, {"id": _ID, "count": _COUNT, "next": _NEXT, "token": _TOKEN})


def upvote_form(
    *, arxiv_id: str, count: int, upvoted: bool, page: PagePart, horizontal: bool = False
) -> str:
    """``feed/partials.html#upvote`` as a signed-in member sees it, without rendering it."""
    if not _PLAIN_ID.fullmatch(arxiv_id):
        arxiv_id = escape(quote(arxiv_id, safe=_URL_SAFE))
    return _upvote_form(bool(upvoted), horizontal).fill(
        id=arxiv_id,
        count=str(count) if count else "",
        next=escaped(page.next_url),
        token=page.csrf_token,
    )


def card_part(name: str, paper_id: int, state: State, page: PagePart) -> str:
    """``upvote``: a card's button; ``upvote_wide``: the paper page's, count beside it."""
    if name not in ("upvote", "upvote_wide"):
        raise LookupError(f"feed has no card part {name!r}")
    return upvote_form(
        arxiv_id=state["arxiv_id"],
        count=state["upvotes"],
        upvoted=state["upvoted"],
        page=page,
        horizontal=name == "upvote_wide",
    )
