"""Serve fixture papers the way the arXiv API does: Atom pages for a ``search_query``.

Used by the backfill tests (in-process and from a subprocess through ``backfill_server``).
The layout follows the API user manual and the recorded fixtures next to this file.
"""

from __future__ import annotations

import json
import re
import textwrap
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

FIXTURES = Path(__file__).parent / "fixtures"


def backfill_papers() -> list[dict]:
    lines = (FIXTURES / "arxiv_backfill.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def entry(paper: dict) -> str:
    version = paper.get("version", 1)
    vid = f"{paper['id']}v{version}"
    title = "\n  ".join(textwrap.wrap(paper["title"], 70))
    authors = "".join(
        f"    <author>\n      <name>{escape(name)}</name>\n    </author>\n"
        for name in paper["authors"]
    )
    categories = "".join(
        f'    <category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>\n'
        for c in paper["categories"]
    )
    comment = (
        '    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">'
        f"{escape(paper['comment'])}</arxiv:comment>\n"
        if paper.get("comment")
        else ""
    )
    primary = (
        '    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" '
        f'term={quoteattr(paper["categories"][0])} scheme="http://arxiv.org/schemas/atom"/>\n'
    )
    published = paper["published_at"].replace("+00:00", "Z")
    return f"""  <entry>
    <id>http://arxiv.org/abs/{vid}</id>
    <updated>{published}</updated>
    <published>{published}</published>
    <title>{escape(title)}</title>
    <summary>  {escape(paper["abstract"])}
</summary>
{authors}    <link href="http://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>
{comment}{primary}{categories}  </entry>
"""


def feed(entries: list[str], *, total: int, start: int, per_page: int) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query</title>
  <id>http://arxiv.org/api/backfill</id>
  <updated>2025-11-15T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{total}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{start}</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{per_page}</opensearch:itemsPerPage>
{"".join(entries)}</feed>
""".encode()


_RANGE = re.compile(r"cat:(\S+) AND submittedDate:\[(\d{12}) TO (\d{12})\]")


def answer(path: str, papers: list[dict]) -> bytes:
    """The API's answer to ``path`` (a search_query with a category and submittedDate range)."""
    params = parse_qs(urlsplit(path).query)
    match = _RANGE.fullmatch(params["search_query"][0])
    category, low, high = match.groups()
    low_at = datetime.strptime(low, "%Y%m%d%H%M")
    high_at = datetime.strptime(high, "%Y%m%d%H%M").replace(second=59)
    hits = [
        p
        for p in papers
        if category in p["categories"]
        and low_at <= datetime.fromisoformat(p["published_at"]).replace(tzinfo=None) <= high_at
    ]
    hits.sort(key=lambda p: p["published_at"])
    start = int(params.get("start", ["0"])[0])
    per_page = int(params.get("max_results", ["10"])[0])
    page = hits[start : start + per_page]
    return feed([entry(p) for p in page], total=len(hits), start=start, per_page=per_page)
