"""A member's private feeds: For you (``/feeds/for-you/<feed token>.rss``, the token made at
/settings/tokens) and one per alert (``/feeds/alerts/<signed address>.rss``, listed on the
alerts page). Both come from the same code as their pages: the stored picks
(``picks.serve``, never scored on the request) and ``alerts.matching``. ``paperboy/urls.py``
mounts them under the ``feeds`` namespace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from paperboy.accounts.models import User
from paperboy.accounts.tokens import ApiToken
from paperboy.foryou import alerts, picks
from paperboy.papers.models import Paper
from paperboy.papers.syndication import (
    FEED_SIZE,
    Item,
    PaperFeed,
    absolute,
    authors_prefetch,
    both,
    entry_of,
    site,
)

# An alert's feed shows what appeared in this window (a feed reader polls; a month is plenty).
ALERT_FEED_DAYS = 30


def _items(paper_ids: list[int]) -> list[Item]:
    papers = (
        Paper.objects.visible()
        .for_cards()
        .select_related("daily", "daily__organization")
        .prefetch_related(authors_prefetch())
        .in_bulk(paper_ids)
    )
    return [Item(papers[pk], entry_of(papers[pk])) for pk in paper_ids if pk in papers]


PICKING = (
    "Your recommendations are being picked: they appear here in a minute or two (the next "
    "time your reader looks)."
)


@dataclass
class _ForYou:
    user: User
    recommended: list | None  # None: none stored yet (``picks.serve`` has them picked)


class ForYouFeed(PaperFeed):
    """A member's For you, at a URL holding a feed token: the page's recommendations, from the
    same stored picks (the feed does not add to the seen ledger: a reader polling it is not the
    member looking). With none stored yet, an empty feed that says they are being picked."""

    def get_object(self, request, token: str):
        found = ApiToken.authenticate(token, scope=ApiToken.Scope.FEED)
        if found is None:
            raise Http404("This feed address is not valid (or its token was revoked).")
        return _ForYou(found.user, picks.serve(found.user.pk, limit=FEED_SIZE))

    def title(self, obj):
        return site(f"for {obj.user.username}")

    def description(self, obj=None) -> str:
        title = self.title(obj)
        return f"{title}. {PICKING}" if obj is not None and obj.recommended is None else title

    def link(self, obj):
        return absolute(reverse("foryou:page"))

    def items(self, obj):
        return _items([r.paper.pk for r in obj.recommended or []])


class AlertFeed(PaperFeed):
    """One alert's new papers, newest first, at its private signed address."""

    def get_object(self, request, token: str):
        found = alerts.read_feed_token(token)
        if found is None:
            raise Http404("This feed address is not valid (or its alert was deleted).")
        user_id, alert = found
        return User.objects.get(pk=user_id), alert

    def title(self, obj):
        return site(obj[1].label)

    def link(self, obj):
        return absolute(obj[1].url)

    def items(self, obj):
        since = timezone.now() - timedelta(days=ALERT_FEED_DAYS)
        ids = alerts.matching(obj[1], since=since).values_list("pk", flat=True)[:FEED_SIZE]
        return _items(list(ids))


urlpatterns = [
    *both("for-you/<str:token>", ForYouFeed, "for-you"),
    *both("alerts/<str:token>", AlertFeed, "alert"),
]
