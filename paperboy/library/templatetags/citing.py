"""The paper page's "Cite" control, loaded by its template (``{% load citing %}`` then
``{% cite_box paper %}``): the paper as BibTeX, RIS and CSL-JSON, each copyable in one click
(``static/cite.js``) and downloadable (``library:cite``)."""

from __future__ import annotations

from django import template

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
