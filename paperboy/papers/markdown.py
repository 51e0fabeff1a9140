"""A paper page as Markdown, for agents and scripts (``/papers/<id>.md``).

A pure function of the paper, its daily entry and organization as loaded by the paper page:
title, authors, dates, links, abstract, upvotes, organization.
"""

from __future__ import annotations

from datetime import UTC


def _escape(text: str) -> str:
    """Keep titles from starting Markdown constructs by accident."""
    return text.replace("\r", " ").replace("\n", " ").strip()


def paper_markdown(paper, *, entry=None, organization=None, site_url: str = "") -> str:
    lines = [f"# {_escape(paper.title)}", ""]
    authors = paper.author_names()
    if authors:
        lines += [f"**Authors:** {', '.join(authors)}", ""]
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
        facts.append(f"- Organization: {organization.name}")
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
        lines += ["## Summary", "", paper.ai_summary.strip(), ""]
    lines += ["## Abstract", "", paper.abstract.strip(), ""]
    if paper.comment:
        lines += [f"*arXiv comment:* {_escape(paper.comment)}", ""]
    return "\n".join(lines)
