"""RSS and Atom for a search query (``/feeds/search.rss?q=…``), best first, from the same
engine as the search page. What every feed shares is in ``papers/syndication.py``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404
from django.urls import reverse

from paperboy.lib.query import MAX_QUERY_CHARS
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
from paperboy.search import engine


class SearchFeed(PaperFeed):
    """The results of a search query (``/feeds/search.rss?q=…``), best first."""

    def get_object(self, request):
        q = request.GET.get("q", "").strip()
        if not q or len(q) > MAX_QUERY_CHARS or "\x00" in q:
            raise Http404(f"Give a search query of 1 to {MAX_QUERY_CHARS} characters as ?q=.")
        return q

    def title(self, obj: str):
        return site(f"search results for “{obj}”")

    def link(self, obj: str):
        return absolute(reverse("search:search") + "?" + urlencode({"q": obj}))

    def items(self, obj: str):
        results = engine.search(obj, limit=FEED_SIZE)
        ids = [hit.paper.pk for hit in results.hits]
        papers = (
            Paper.objects.visible()
            .for_cards()
            .select_related("daily", "daily__organization")
            .prefetch_related(authors_prefetch())
            .in_bulk(ids)
        )
        return [Item(papers[pk], entry_of(papers[pk])) for pk in ids if pk in papers]


urlpatterns = [*both("search", SearchFeed, "search")]
