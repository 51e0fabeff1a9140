"""RSS 2.0 and Atom feeds for every list: the latest day, a day, a week, a month, trending,
an organization, a search query, and a member's private "for you" feed.

Built with Django's syndication framework from the same QuerySets as the list pages
(``DailyEntry.objects.between(...).for_list()``, ``.trending()``). Mounted at ``/feeds/`` by
paperboy/urls.py; every feed exists as ``<name>.rss`` and ``<name>.atom``.

The feeds' methods return plain text (titles, abstracts, organization names: what members and
sources typed); the two feed formats put it where a reader takes it for what it is (``PlainRss``,
``PlainAtom``), so text such as ``<img onerror=…>`` is shown, never run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch, Q
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape, linebreaks

from paperboy.accounts.models import Organization
from paperboy.feed.models import DailyEntry
from paperboy.lib import dates
from paperboy.lib.dates import BadPeriod, Period
from paperboy.lib.query import MAX_QUERY_CHARS
from paperboy.papers.models import Paper, PaperAuthor

FEED_SIZE = 50
FOR_YOU_DAYS = 14


@dataclass
class Item:
    paper: Paper
    entry: DailyEntry | None


class PlainRss(Rss201rev2Feed):
    """RSS 2.0 from plain text. Readers take an RSS description, and in practice titles and
    authors too, as HTML: each goes in escaped (Django's own default for titles, ticket
    #6533), paragraphs as ``<p>``, so a reader shows the text as typed."""

    def __init__(self, title, link, description, **kwargs) -> None:
        super().__init__(_html(title), link, _paragraphs(description), **kwargs)

    def add_item(self, title, link, description, author_name=None, **kwargs) -> None:
        super().add_item(
            _html(title), link, _paragraphs(description), author_name=_html(author_name), **kwargs
        )


class PlainAtom(Atom1Feed):
    """Atom from plain text. Titles, names and the subtitle are text constructs (shown as
    text); the summary is written ``type="html"`` by Django, so it goes in escaped."""

    def add_item(self, title, link, description, **kwargs) -> None:
        super().add_item(title, link, _paragraphs(description), **kwargs)


def _html(text: str | None) -> str | None:
    return None if text is None else escape(text)


def _paragraphs(text: str | None) -> str | None:
    return None if text is None else linebreaks(text, autoescape=True)


def _authors():
    return Prefetch("authorships", queryset=PaperAuthor.objects.select_related("author"))


def _entry_items(entries) -> list[Item]:
    authors = PaperAuthor.objects.select_related("author")
    entries = entries.prefetch_related(Prefetch("paper__authorships", queryset=authors))
    return [Item(e.paper, e) for e in entries[:FEED_SIZE]]


class PaperFeed(Feed):
    """What every feed shares: items are papers, linked to their page on this site.

    Links are absolute on ``PAPERBOY_SITE_URL`` (the site's public address), like the items'
    ids and the links in emails: a feed reads the same whichever host name fetched it. Only
    the feed's own ``self`` link is the address it was fetched from.
    """

    feed_type = PlainRss

    def item_title(self, item: Item) -> str:
        return item.paper.title

    def item_link(self, item: Item) -> str:
        return settings.SITE_URL + item.paper.get_absolute_url()

    def item_guid(self, item: Item) -> str:
        return settings.SITE_URL + item.paper.get_absolute_url()

    item_guid_is_permalink = True

    def item_description(self, item: Item) -> str:
        paper, entry = item.paper, item.entry
        org = (entry.organization if entry and entry.organization_id else None) or (
            paper.organization if paper.organization_id else None
        )
        bits = [f"{paper.upvotes_count} upvote{'s' if paper.upvotes_count != 1 else ''}"]
        if org is not None:
            bits.append(org.name)
        bits.append(f"arXiv {paper.arxiv_id}")
        return f"{paper.abstract}\n\n({' · '.join(bits)})"

    def item_author_name(self, item: Item) -> str:
        names = item.paper.author_names()
        return ", ".join(names[:3]) + (" et al." if len(names) > 3 else "")

    def item_pubdate(self, item: Item):
        return item.entry.submitted_at if item.entry else item.paper.published_at

    def item_updateddate(self, item: Item):
        return self.item_pubdate(item)

    def item_categories(self, item: Item):
        return [item.paper.primary_category] if item.paper.primary_category else []

    def feed_url(self, obj=None):
        return None  # the request's own URL

    def description(self, obj=None) -> str:
        return self.title(obj)

    def subtitle(self, obj=None) -> str:
        return self.description(obj)


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _site(label: str) -> str:
    return f"{settings.SITE_NAME}: {label}"


class DailyFeed(PaperFeed):
    """The latest day with papers, like ``/papers``."""

    def get_object(self, request):
        return Period.containing(DailyEntry.objects.latest_day(timezone.localdate()), dates.DAY)

    def title(self, obj):
        return _site("Daily papers")

    def link(self, obj):
        return _absolute(reverse("feed:daily"))

    def items(self, obj):
        return _entry_items(DailyEntry.objects.between(obj.start, obj.end).for_list())


class PeriodFeed(PaperFeed):
    """A day, an ISO week or a month; without one in the URL, the current week or month."""

    kind = dates.DAY
    url_name = {dates.DAY: "feed:date", dates.WEEK: "feed:week", dates.MONTH: "feed:month"}

    def get_object(self, request, slug: str = ""):
        if not slug:
            return Period.containing(timezone.localdate(), self.kind)
        try:
            return dates.PARSERS[self.kind](slug)
        except BadPeriod as exc:
            raise Http404(str(exc)) from None

    def title(self, obj: Period):
        return _site(f"papers of {obj.label}")

    def link(self, obj: Period):
        return _absolute(reverse(self.url_name[self.kind], args=[obj.slug]))

    def items(self, obj: Period):
        return _entry_items(DailyEntry.objects.between(obj.start, obj.end).for_list())


class DayFeed(PeriodFeed):
    kind = dates.DAY


class WeekFeed(PeriodFeed):
    kind = dates.WEEK


class MonthFeed(PeriodFeed):
    kind = dates.MONTH


class TrendingFeed(PaperFeed):
    def title(self, obj=None):
        return _site("Trending papers")

    def link(self, obj=None):
        return _absolute(reverse("feed:trending"))

    def items(self, obj=None):
        return _entry_items(DailyEntry.objects.trending())


class OrgFeed(PaperFeed):
    """An organization's papers, newest on the list first (the page sorts by upvotes; a feed
    reader wants what is new)."""

    def get_object(self, request, slug: str):
        org = Organization.objects.filter(slug=slug).first()
        if org is None:
            raise Http404(f"There is no organization called “{slug[:64]}” here.")
        return org

    def title(self, obj: Organization):
        return _site(f"papers from {obj.name}")

    def link(self, obj: Organization):
        return _absolute(obj.get_absolute_url())

    def items(self, obj: Organization):
        papers = (
            Paper.objects.visible()
            .for_cards()
            .select_related("daily", "daily__organization")
            .prefetch_related(_authors())
            .filter(Q(organization=obj) | Q(daily__organization=obj))
            .distinct()
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )
        return [Item(p, _entry(p)) for p in papers]


def _entry(paper: Paper) -> DailyEntry | None:
    try:
        return paper.daily
    except DailyEntry.DoesNotExist:
        return None


class SearchFeed(PaperFeed):
    """The results of a search query (``/feeds/search.rss?q=…``), best first."""

    def get_object(self, request):
        q = request.GET.get("q", "").strip()
        if not q or len(q) > MAX_QUERY_CHARS or "\x00" in q:
            raise Http404(f"Give a search query of 1 to {MAX_QUERY_CHARS} characters as ?q=.")
        return q

    def title(self, obj: str):
        return _site(f"search results for “{obj}”")

    def link(self, obj: str):
        from urllib.parse import urlencode

        return _absolute(reverse("search:search") + "?" + urlencode({"q": obj}))

    def items(self, obj: str):
        from paperboy.search.engine import search

        results = search(obj, limit=FEED_SIZE)
        ids = [hit.paper.pk for hit in results.hits]
        papers = (
            Paper.objects.visible()
            .for_cards()
            .select_related("daily", "daily__organization")
            .prefetch_related(_authors())
            .in_bulk(ids)
        )
        return [Item(papers[pk], _entry(papers[pk])) for pk in ids if pk in papers]


def for_you_entries(user):
    """Recent entries in the arXiv categories of the papers the member upvoted, by trending
    score; the trending list for a member who has not upvoted anything yet."""
    from paperboy.feed.models import Upvote

    since = timezone.localdate() - timedelta(days=FOR_YOU_DAYS)
    categories = set(
        Upvote.objects.filter(user=user)
        .exclude(paper__primary_category="")
        .order_by("-created_at")
        .values_list("paper__primary_category", flat=True)[:200]
    )
    entries = DailyEntry.objects.filter(day__gte=since)
    if categories:
        entries = entries.filter(paper__primary_category__in=categories).exclude(
            paper__upvotes__user=user
        )
    return entries.trending()


class ForYouFeed(PaperFeed):
    """A member's private feed, at a URL holding a feed token (created in /settings/tokens)."""

    def get_object(self, request, token: str):
        from paperboy.api.models import ApiToken

        found = ApiToken.authenticate(token, scope=ApiToken.Scope.FEED)
        if found is None:
            raise Http404("This feed address is not valid (or its token was revoked).")
        return found.user

    def title(self, obj):
        return _site(f"for {obj.username}")

    def link(self, obj):
        return _absolute(reverse("feed:trending"))

    def items(self, obj):
        return _entry_items(for_you_entries(obj))


def _atom(feed_class: type[PaperFeed]) -> type[PaperFeed]:
    return type(f"Atom{feed_class.__name__}", (feed_class,), {"feed_type": PlainAtom})


def _both(route: str, feed_class: type[PaperFeed], name: str) -> list:
    return [
        path(f"{route}.rss", feed_class(), name=f"{name}-rss"),
        path(f"{route}.atom", _atom(feed_class)(), name=f"{name}-atom"),
    ]


app_name = "feeds"
urlpatterns = [
    *_both("daily", DailyFeed, "daily"),
    *_both("date/<str:slug>", DayFeed, "date"),
    *_both("week", WeekFeed, "this-week"),
    *_both("week/<str:slug>", WeekFeed, "week"),
    *_both("month", MonthFeed, "this-month"),
    *_both("month/<str:slug>", MonthFeed, "month"),
    *_both("trending", TrendingFeed, "trending"),
    *_both("org/<slug:slug>", OrgFeed, "org"),
    *_both("search", SearchFeed, "search"),
    *_both("for-you/<str:token>", ForYouFeed, "for-you"),
]
