"""Remembered rankings (search/memo.py) and what a search does not do on the way (issue 18)."""

from contextlib import contextmanager

import pytest
from django.core.cache import cache

from paperboy.search import engine, memo, vectors
from paperboy.search.engine import SearchFilters, search
from paperboy.testing import make_paper


def ids(results):
    return [h.paper.arxiv_id for h in results.hits]


@pytest.fixture
def ranks(monkeypatch, settings):
    """How many times search ranked from scratch, with rankings remembered for a minute."""
    settings.PAPERBOY_SEARCH_CACHE_SECONDS = 60
    calls = []
    real = engine._rank

    def counted(*args, **kwargs):
        calls.append(args[0].text)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "_rank", counted)
    return calls


def test_a_repeated_query_is_ranked_once(corpus, ranks):
    first = search("protein structure diffusion")
    again = search("protein   structure diffusion")  # the same query once cleaned
    assert ids(again) == ids(first) and ids(first)[0] == "2501.10002"
    assert ranks == ["protein structure diffusion"]
    # Other filters or spelling are another ranking.
    search("protein structure diffusion", filters=SearchFilters(category="cs.LG"))
    search("protein structure diffusion", spell=False)
    assert len(ranks) == 3


def test_a_new_paper_is_found_at_once(corpus, ranks):
    assert "2501.10009" not in ids(search("protein folding"))
    make_paper(
        arxiv_id="2501.10009",
        title="Protein Folding with Language Models",
        abstract="Protein folding predicted from sequence alone by a language model.",
    )
    assert "2501.10009" in ids(search("protein folding"))
    assert len(ranks) == 2


def test_a_hidden_paper_leaves_the_results_at_once(corpus, ranks):
    assert ids(search("protein structure diffusion"))[0] == "2501.10002"
    corpus["protein"].hidden = True
    corpus["protein"].save(update_fields=["hidden"])  # not a change of words: no re-ranking
    assert "2501.10002" not in ids(search("protein structure diffusion"))
    assert len(ranks) == 1


def test_new_vectors_or_another_process_drop_the_rankings(corpus, ranks):
    search("robots grasping")
    vectors.bump()
    search("robots grasping")
    cache.set(memo.GENERATION_KEY, "another process bumped it", timeout=None)
    search("robots grasping")
    assert len(ranks) == 3


def test_nothing_is_remembered_when_switched_off(corpus, ranks, settings):
    settings.PAPERBOY_SEARCH_CACHE_SECONDS = 0
    search("robots grasping")
    search("robots grasping")
    assert len(ranks) == 2


@pytest.mark.django_db(transaction=True)
def test_a_search_outside_a_transaction_opens_none(corpus, monkeypatch):
    """On SQLite a transaction begins with the write lock (BEGIN IMMEDIATE): a search, which
    only reads, must not take it (every search under load queued for it)."""
    opened = []
    real = engine.transaction.atomic

    @contextmanager
    def atomic(*args, **kwargs):
        opened.append(engine.connection.in_atomic_block)
        with real(*args, **kwargs):
            yield

    monkeypatch.setattr(engine.transaction, "atomic", atomic)
    results = search("protein structure diffusion")
    assert results.mode == "hybrid" and ids(results)[0] == "2501.10002"
    # PostgreSQL's nearest-vector query sets hnsw.ef_search in a transaction of its own
    # (SET LOCAL), which locks nothing; no other transaction is opened on either database.
    assert opened == ([False] if engine.connection.vendor == "postgresql" else [])


def test_a_failing_shared_cache_does_not_fail_the_search(corpus, ranks, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("the cache server is down")

    monkeypatch.setattr(memo.cache, "get", down)
    assert ids(search("protein structure diffusion"))[0] == "2501.10002"
    assert ids(search("protein structure diffusion"))[0] == "2501.10002"
    assert len(ranks) == 2  # ranked each time, nothing kept


def test_a_failing_shared_cache_does_not_fail_a_paper_write(db, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("the cache server is down")

    monkeypatch.setattr(memo.cache, "set", down)
    paper = make_paper(arxiv_id="2501.10010", title="Written While The Cache Is Down")
    paper.title = "Still Written"
    paper.save()
