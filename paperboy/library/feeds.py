"""RSS and Atom of a public collection (``<collection page>.rss`` / ``.atom``): its papers,
latest added first, with the collection's notes. A private collection has no feed (a 404 for
everyone, its owner included: a feed reader signs in as nobody). What every feed shares is
``papers/syndication.py``'s, which writes titles, notes and descriptions as text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch
from django.http import Http404

from paperboy.library import services
from paperboy.library.models import Collection, CollectionItem
from paperboy.papers.models import PaperAuthor
from paperboy.papers.syndication import FEED_SIZE, Item, PaperFeed, absolute, site


@dataclass
class CollectionEntry(Item):
    note: str = ""
    added_at: datetime | None = None


class CollectionFeed(PaperFeed):
    def get_object(
        self, request, slug: str, username: str | None = None, org: str | None = None
    ) -> Collection:
        try:
            return services.collection_at(
                owner=org or username, slug=slug, org=org is not None, viewer=AnonymousUser()
            )
        except services.Refused as exc:
            raise Http404(str(exc)) from None

    def title(self, obj: Collection) -> str:
        return site(f"{obj.title} (a collection by {obj.owner_name})")

    def description(self, obj: Collection) -> str:
        return obj.description or self.title(obj)

    def link(self, obj: Collection) -> str:
        return absolute(obj.get_absolute_url())

    def items(self, obj: Collection) -> list[CollectionEntry]:
        authors = PaperAuthor.objects.select_related("author")
        rows = (
            CollectionItem.objects.filter(collection=obj, paper__hidden=False)
            .select_related("paper", "paper__organization")
            .prefetch_related(Prefetch("paper__authorships", queryset=authors))
            .order_by("-added_at", "-id")[:FEED_SIZE]
        )
        return [CollectionEntry(row.paper, None, row.note, row.added_at) for row in rows]

    def item_description(self, item: CollectionEntry) -> str:
        text = super().item_description(item)
        return f"Note: {item.note}\n\n{text}" if item.note else text

    def item_pubdate(self, item: CollectionEntry):
        return item.added_at
