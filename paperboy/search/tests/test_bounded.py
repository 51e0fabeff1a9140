"""``bounded``: at scale, PostgreSQL matches on the rarest words and ranks by all of them."""

import pytest
from django.db import connection

from paperboy.search import bounded
from paperboy.search.lexical import parse
from paperboy.testing import make_paper


def test_essential_keeps_every_word_when_their_postings_fit_the_budget():
    assert bounded.essential(["a", "b"], [0.01, 0.02], 1000, budget=30) == ["a", "b"]


def test_essential_keeps_the_rarest_words_that_fit_in_query_order():
    terms = ["common", "rare", "medium", "rarest"]
    freqs = [0.5, 0.002, 0.01, 0.001]
    assert bounded.essential(terms, freqs, 1_000_000, budget=3_000) == ["rare", "rarest"]
    assert bounded.essential(terms, freqs, 1_000_000, budget=13_000) == [
        "rare",
        "medium",
        "rarest",
    ]


def test_essential_keeps_at_least_the_rarest_word():
    assert bounded.essential(["x", "y"], [0.3, 0.2], 1_000_000, budget=10) == ["y"]
    assert bounded.essential([], [], 1_000_000, budget=10) == []


@pytest.mark.django_db
def test_candidates_match_the_rare_words_and_rank_by_all_of_them(monkeypatch):
    both = make_paper(title="Lexicon pruning for retrieval", abstract="Retrieval at scale.")
    rare_only = make_paper(title="Lexicon pruning", abstract="A study of dictionaries.")
    common_only = make_paper(title="Retrieval for everything", abstract="Retrieval, again.")
    query = parse("lexicon retrieval")
    if connection.vendor == "postgresql":
        # As on a 1M-paper catalog: "retrieval" is common, "lexicon" rare.
        monkeypatch.setattr(bounded, "term_freqs", lambda terms: [0.0, 0.3][: len(terms)])
        monkeypatch.setattr(bounded, "_papers", lambda: 1_000_000)
        found = [pk for pk, _ in bounded.candidates(query)]
        assert found == [both.pk, rare_only.pk]
    else:  # SQLite: the plain FTS5 query, every word matched
        found = [pk for pk, _ in bounded.candidates(query)]
        assert found[0] == both.pk and common_only.pk in found
