"""RSS and Atom for the lists: the latest day, a day, a week, a month, trending, an
organization, from the same QuerySets as the list pages
(``DailyEntry.objects.between(...).for_list()``, ``.trending()``). What every feed shares is in
``papers/syndication.py``."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from paperboy.feed.models import DailyEntry
from paperboy.lib import dates
from paperboy.lib.dates import BadPeriod, Period
from paperboy.papers.models import Organization, Paper, PaperAuthor
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


def _entry_items(entries) -> list[Item]:
    authors = PaperAuthor.objects.select_related("author")
    entries = entries.prefetch_related(Prefetch("paper__authorships", queryset=authors))
    return [Item(e.paper, e) for e in entries[:FEED_SIZE]]


class DailyFeed(PaperFeed):
    """The latest day with papers, like ``/papers``."""

    def get_object(self, request):
        return Period.containing(DailyEntry.objects.latest_day(timezone.localdate()), dates.DAY)

    def title(self, obj):
        return site("Daily papers")

    def link(self, obj):
        return absolute(reverse("feed:daily"))

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
        return site(f"papers of {obj.label}")

    def link(self, obj: Period):
        return absolute(reverse(self.url_name[self.kind], args=[obj.slug]))

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
        return site("Trending papers")

    def link(self, obj=None):
        return absolute(reverse("feed:trending"))

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
        return site(f"papers from {obj.name}")

    def link(self, obj: Organization):
        return absolute(obj.get_absolute_url())

    def items(self, obj: Organization):
        papers = (
            Paper.objects.visible()
            .for_cards()
            .select_related("daily", "daily__organization")
            .prefetch_related(authors_prefetch())
            .filter(Q(organization=obj) | Q(daily__organization=obj))
            .distinct()
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )
        return [Item(p, entry_of(p)) for p in papers]


urlpatterns = [
    *both("daily", DailyFeed, "daily"),
    *both("date/<str:slug>", DayFeed, "date"),
    *both("week", WeekFeed, "this-week"),
    *both("week/<str:slug>", WeekFeed, "week"),
    *both("month", MonthFeed, "this-month"),
    *both("month/<str:slug>", MonthFeed, "month"),
    *both("trending", TrendingFeed, "trending"),
    *both("org/<slug:slug>", OrgFeed, "org"),
]
