"""The demo corpus's files (``paperboy/demo/``, see its README): where they are, and which
papers and organizations are demo data, so that pages and the admin can label them."""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
# Shown on a demo organization's page and in the admin: the loader tags papers with
# organizations at random (a hash of the arXiv id), so no organization stands behind them.
DEMO_ORG_NOTE = (
    "Demo data: the demo loader tagged papers with this organization at random; the "
    "organization took no part in this site."
)


@functools.cache
def demo_arxiv_ids() -> frozenset[str]:
    """The arXiv ids of the demo papers (their upvotes and organizations are generated)."""
    with gzip.open(DEMO_DIR / "papers.jsonl.gz", "rt", encoding="utf-8") as lines:
        return frozenset(json.loads(line)["id"] for line in lines if line.strip())
