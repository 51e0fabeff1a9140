"""``lexical.candidates(…, among=ids)``: a full-text search restricted to a set of papers (the
digests' "for you" section on a site without vectors searches one period's papers)."""

import pytest

from paperboy.search import lexical
from paperboy.search.lexical import parse
from paperboy.testing import make_paper


@pytest.mark.django_db
def test_among_restricts_the_hits_to_those_papers_in_rank_order():
    best = make_paper(title="Sparse retrieval with sparse learned lexicons")
    other = make_paper(title="Sparse retrieval for product search")
    outside = make_paper(title="Sparse retrieval sparse sparse retrieval")
    make_paper(title="Protein folding by diffusion")
    query = parse("sparse retrieval lexicons")

    assert outside.pk in {pk for pk, _ in lexical.candidates(query)}
    hits = lexical.candidates(query, among=[best.pk, other.pk])

    assert [pk for pk, _ in hits] == [best.pk, other.pk]


@pytest.mark.django_db
def test_among_nothing_finds_nothing():
    make_paper(title="Sparse retrieval for product search")
    assert lexical.candidates(parse("sparse retrieval"), among=[]) == []
