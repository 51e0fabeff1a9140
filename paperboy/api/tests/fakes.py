"""A stand-in for ``paperboy.search.engine.search`` where a test needs fixed results."""

import sys
import types
from dataclasses import dataclass, field


@dataclass
class Hit:
    paper: object
    score: float = 1.0
    why: str = ""


@dataclass
class SearchResults:
    hits: list = field(default_factory=list)
    total: int = 0
    mode: str = "test"


def fake_search(monkeypatch, papers, calls=None):
    """Make ``search()`` return ``papers`` (in order) and record its calls in ``calls``."""

    def search(query, *, filters=None, sort="relevance", limit=20, offset=0, **options):
        if calls is not None:
            calls.append({"query": query, "limit": limit})
        found = papers
        if options.get("papers") is not None:  # loaded from the caller's queryset, as search does
            loaded = options["papers"].in_bulk([p.pk for p in papers])
            found = [loaded[p.pk] for p in papers if p.pk in loaded]
        hits = [Hit(p) for p in found][offset : offset + limit]
        return SearchResults(hits=hits, total=len(papers))

    try:
        import paperboy.search.engine as engine
    except ImportError:  # the search app has not shipped its engine yet
        engine = types.ModuleType("paperboy.search.engine")
        monkeypatch.setitem(sys.modules, "paperboy.search.engine", engine)
        monkeypatch.setattr("paperboy.search.engine", engine, raising=False)
    monkeypatch.setattr(engine, "search", search, raising=False)
