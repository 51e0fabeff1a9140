"""Paper cards for the library's member pages (the reading list, a collection page as its
editor sees it) without rendering ``feed/partials.html#card`` for every card on every request.

These pages are private or an editor's, so ``lib.pagecache`` cannot share them; but a card is the
same for every reader except its member parts (``{% cardpart %}``: the upvote, the Save toggle).
So each process keeps the visitors' rendering of a card (its parts inside their marks, as the page
cache stores whole pages), keyed by everything the card shows of the paper and its organization,
and a member's card is that copy with the marks replaced by the apps' ``card_part`` answers
(``lib.cardstate``). Same HTML as the template's (tested); ~0.7 ms of rendering per card becomes
a dictionary look-up and a few string joins.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from paperboy.lib import cardstate

SIZE = 4000  # cards per process (~3 KB each)
_MARK = re.compile(r"<!--card ([^ >]+) ([0-9]+)-->.*?<!--/card-->", re.S)
_copies: OrderedDict[tuple, str] = OrderedDict()
_lock = threading.Lock()
_VISITOR = SimpleNamespace(user=AnonymousUser(), get_full_path=lambda: "/")


def _key(card) -> tuple:
    """Everything ``feed/partials.html#card`` shows of a card built by ``cards.for_papers``
    (no daily entry, no "why", no highlighting) outside its member parts."""
    paper, org = card.paper, card.organization
    return (
        paper.pk,
        paper.arxiv_id,
        paper.title,
        paper.abstract,
        paper.ai_summary,
        paper.num_authors,
        paper.published_at,
        paper.comments_count,
        paper.github_repo,
        paper.github_stars,
        org and (org.pk, org.slug, org.name, org.avatar_src, org.initials),
    )


def _plain(card) -> bool:
    return (
        card.entry is None
        and not card.why
        and not getattr(card, "title_html", "")
        and not getattr(card, "abstract_html", "")
        and not getattr(card, "extra_template", "")
    )


def _visitor_copy(card) -> str:
    key = _key(card)
    with _lock:
        html = _copies.get(key)
        if html is not None:
            _copies.move_to_end(key)
            return html
    html = get_template("feed/partials.html#card").render({"card": card, "request": _VISITOR})
    with _lock:
        _copies[key] = html
        while len(_copies) > SIZE:
            _copies.popitem(last=False)
    return html


def render(cards, request) -> list[SafeString | None]:
    """Each card's HTML for the signed-in reader of ``request`` (None for a card this module
    does not handle, or for a visitor: the template renders those)."""
    if not request.user.is_authenticated:
        return [None] * len(cards)
    page = cardstate.PagePart(csrf_token=get_token(request), next_url=request.get_full_path())
    renderers: dict[str, object] = {}

    def fill(state):
        def part(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in renderers:
                renderers[name] = cardstate.renderer(name)
            return renderers[name](int(match.group(2)), state, page)

        return part

    return [
        mark_safe(_MARK.sub(fill(card.state), _visitor_copy(card))) if _plain(card) else None
        for card in cards
    ]
