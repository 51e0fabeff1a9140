"""A paper page as Markdown, for agents and scripts (``/papers/<id>.md``).

A pure function of the paper, its daily entry and organization as loaded by the paper page:
title, authors, dates, links, abstract, upvotes, organization. Text from sources and members
goes through ``_text``, so that a Markdown renderer shows ``<script>`` typed in an abstract as
text instead of passing it through as HTML.
"""

from __future__ import annotations

import re
from datetime import UTC

# A "<" that CommonMark could read as the start of raw HTML (a tag, a closing tag, a comment,
# a declaration) or of an autolink; "$a<b$" in math is none of these and stays as typed.
_MARKUP_START = re.compile(
    r"<(?=[/!?]|[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|$)|[A-Za-z][A-Za-z0-9+.-]{1,31}:)"
)


def _text(text: str) -> str:
    """Text shown as typed: "<" that could start HTML becomes the entity renderers show as
    "<"."""
    return _MARKUP_START.sub("&lt;", text)


def _line(text: str) -> str:
    """Text on one line (a title cannot start a new Markdown block)."""
    return _text(text.replace("\r", " ").replace("\n", " ").strip())


def paper_markdown(paper, *, entry=None, organization=None, site_url: str = "") -> str:
    lines = [f"# {_line(paper.title)}", ""]
    authors = paper.author_names()
    if authors:
        lines += [f"**Authors:** {_line(', '.join(authors))}", ""]
    facts = [
        f"- arXiv: [{paper.arxiv_id}]({paper.abs_url}) (v{paper.version})",
        f"- PDF: {paper.pdf_url}",
        f"- Published on arXiv: {paper.published_at.astimezone(UTC).date().isoformat()}",
    ]
    if entry is not None:
        facts.append(f"- On the daily list: {entry.day.isoformat()}")
    facts.append(f"- Upvotes: {paper.upvotes_count}")
    if paper.comments_count:
        facts.append(f"- Comments: {paper.comments_count}")
    if organization is not None:
        facts.append(f"- Organization: {_line(organization.name)}")
    codes = paper.category_codes()
    if codes:
        facts.append(f"- Categories: {', '.join(codes)}")
    if paper.github_repo:
        stars = f" ({paper.github_stars} stars)" if paper.github_stars is not None else ""
        facts.append(f"- Code: {paper.github_repo}{stars}")
    if paper.project_page:
        facts.append(f"- Project page: {paper.project_page}")
    if site_url:
        facts.append(f"- Page: {site_url}{paper.get_absolute_url()}")
    lines += facts + [""]
    if paper.ai_summary:
        lines += ["## Summary", "", _text(paper.ai_summary.strip()), ""]
    if paper.ai_keywords:
        lines += [f"*Keywords:* {_line(', '.join(map(str, paper.ai_keywords)))}", ""]
    lines += ["## Abstract", "", _text(paper.abstract.strip()), ""]
    if paper.comment:
        lines += [f"*arXiv comment:* {_line(paper.comment)}", ""]
    return "\n".join(lines)
