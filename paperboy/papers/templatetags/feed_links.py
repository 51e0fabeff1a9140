"""``{% alternate_links %}``: the ``<link rel="alternate">`` tags of the current page;
``{% page_feed as feed %}``: the page's own feed (``feed.rss``, ``feed.atom``, ``feed.title``)
for the RSS/Atom links every list page shows.

Every page advertises the daily feed; list pages add their own feed (the week's, the
organization's, the search query's) and the paper page its Markdown version. Worked out from
the resolved URL, so the list templates need no change when a feed is added.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from paperboy.lib.query import MAX_QUERY_CHARS

register = template.Library()

RSS = "application/rss+xml"
ATOM = "application/atom+xml"

# URL name of a page -> (feed URL name, title, the URL kwarg the feed takes)
_PAGE_FEEDS = {
    "feed:date": ("feeds:date", "papers of {slug}", "day"),
    "feed:week": ("feeds:week", "papers of week {slug}", "week"),
    "feed:month": ("feeds:month", "papers of {slug}", "month"),
    "feed:trending": ("feeds:trending", "trending papers", None),
    "feed:org": ("feeds:org", "papers from {slug}", "slug"),
}


def page_alternates(request) -> list[tuple[str, str, str]]:
    """(type, title, href) for the page being rendered."""
    site = settings.SITE_NAME
    links = [
        (RSS, f"{site}: daily papers (RSS)", reverse("feeds:daily-rss")),
        (ATOM, f"{site}: daily papers (Atom)", reverse("feeds:daily-atom")),
    ]
    match = getattr(request, "resolver_match", None) if request is not None else None
    if match is None:
        return links
    name = match.view_name
    if name in _PAGE_FEEDS:
        feed, title, kwarg = _PAGE_FEEDS[name]
        slug = str(match.kwargs.get(kwarg, "")) if kwarg else ""
        args = [slug] if kwarg else []
        try:
            for kind, suffix in ((RSS, "rss"), (ATOM, "atom")):
                href = reverse(f"{feed}-{suffix}", args=args)
                links.append((kind, f"{site}: {title.format(slug=slug)} ({suffix.upper()})", href))
        except NoReverseMatch:
            pass
    elif name == "papers:detail":
        arxiv_id = match.kwargs.get("arxiv_id", "")
        try:
            href = reverse("papers:markdown", args=[arxiv_id])
        except NoReverseMatch:
            href = ""
        if href:
            links.append(("text/markdown", f"arXiv {arxiv_id} as Markdown", href))
    query = request.GET.get("q", "") if hasattr(request, "GET") else ""
    if name and name.startswith("search") and query and len(query) <= MAX_QUERY_CHARS:
        for kind, suffix in ((RSS, "rss"), (ATOM, "atom")):
            href = reverse(f"feeds:search-{suffix}") + "?" + urlencode({"q": query})
            links.append((kind, f"{site}: search “{query}” ({suffix.upper()})", href))
    return links


@register.simple_tag(takes_context=True)
def alternate_links(context) -> str:
    links = page_alternates(context.get("request"))
    return format_html_join(
        "\n  ", '<link rel="alternate" type="{}" title="{}" href="{}">', links
    ) or format_html("")


@register.simple_tag(takes_context=True)
def page_feed(context) -> dict[str, str] | None:
    """The page's own feed: the most specific RSS/Atom pair of its alternate links."""
    links = page_alternates(context.get("request"))
    feeds = [(kind, title, href) for kind, title, href in links if kind in (RSS, ATOM)]
    if len(feeds) < 2:
        return None
    (_, title, rss), (_, _, atom) = feeds[-2], feeds[-1]
    return {"rss": rss, "atom": atom, "title": title.rsplit(" (", 1)[0]}
