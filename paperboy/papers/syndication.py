"""Papers as RSS 2.0 and Atom: what every feed of the site shares (the list feeds live in
``feed/feeds.py``, search results in ``search/feeds.py``; ``paperboy/urls.py`` mounts them all at
``/feeds/``, each as ``<name>.rss`` and ``<name>.atom``).

Built on Django's syndication framework. The feeds' methods return plain text (titles,
abstracts, organization names: what members and sources typed); the two feed formats put it
where a reader takes it for what it is (``PlainRss``, ``PlainAtom``), so text such as
``<img onerror=…>`` is shown, never run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from django.urls import URLPattern, path
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape, linebreaks

from paperboy.papers.models import Paper, PaperAuthor

FEED_SIZE = 50


@dataclass
class Item:
    paper: Paper
    entry: Any = None  # the paper's daily-list entry (feed.DailyEntry), when it has one


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


def authors_prefetch() -> Prefetch:
    return Prefetch("authorships", queryset=PaperAuthor.objects.select_related("author"))


def entry_of(paper: Paper):
    """The paper's daily-list entry (``paper.daily``, selected with it), or None."""
    try:
        return paper.daily
    except ObjectDoesNotExist:
        return None


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
        tldr = f"TL;DR: {paper.ai_summary}\n\n" if paper.ai_summary else ""
        return f"{tldr}{paper.abstract}\n\n({' · '.join(bits)})"

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


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def site(label: str) -> str:
    return f"{settings.SITE_NAME}: {label}"


def _atom(feed_class: type[PaperFeed]) -> type[PaperFeed]:
    return type(f"Atom{feed_class.__name__}", (feed_class,), {"feed_type": PlainAtom})


def both(route: str, feed_class: type[PaperFeed], name: str) -> list[URLPattern]:
    return [
        path(f"{route}.rss", feed_class(), name=f"{name}-rss"),
        path(f"{route}.atom", _atom(feed_class)(), name=f"{name}-atom"),
    ]
