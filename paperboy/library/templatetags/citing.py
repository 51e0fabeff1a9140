"""The paper page's "Cite" control, loaded by its template (``{% load citing %}`` then
``{% cite_box paper %}``): the paper as BibTeX, RIS and CSL-JSON, each copyable in one click
(``static/cite.js``) and downloadable (``library:cite``); and ``{% export_links … %}``, the
"Export" links of a list page (daily/week/month lists, searches, the reading list, collections)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from paperboy.library import citations

register = template.Library()


@register.inclusion_tag("library/cite.html")
def cite_box(paper) -> dict:
    work = citations.work_of(paper)
    return {
        "paper": paper,
        "formats": [
            {"key": fmt, "label": label, "ext": ext, "text": citations.render([work], fmt)}
            for fmt, (label, ext, _) in citations.FORMATS.items()
        ],
    }


@register.inclusion_tag("library/export_links.html")
def export_links(name: str, *args, query: str = "") -> dict:
    """ "Export: BibTeX · RIS · CSL-JSON" links to the ``library:<name>`` export of a list
    (``args`` are the route's own, ``query`` the list's query string, e.g. a search's)."""
    suffix = f"?{query}" if query else ""
    return {
        "links": [
            (label, reverse(f"library:{name}", args=[*args, ext]) + suffix)
            for label, ext, _ in citations.FORMATS.values()
        ]
    }
