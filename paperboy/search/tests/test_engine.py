"""search(): pins, lexical and dense retrieval, fusion, filters and sorting, on both engines."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperboy.search import vectors
from paperboy.search.engine import SearchFilters, search
from paperboy.testing import make_paper


def ids(results):
    return [h.paper.arxiv_id for h in results.hits]


def test_it_finds_papers_by_their_words(corpus):
    results = search("protein structure diffusion")
    assert results.mode == "hybrid"
    assert ids(results)[0] == "2501.10002"


def test_it_finds_papers_by_meaning_without_shared_words(corpus):
    # No word of 4+ letters in common with the robot paper's title or abstract.
    results = search("machines that copy how we pick stuff up after seeing us do it on film")
    assert ids(results)[0] == "2501.10003"
    assert results.hits[0].why == "similar meaning"


def test_an_arxiv_id_or_link_pins_that_paper(corpus):
    for query in ("2501.10004", "arXiv:2501.10004v2", "https://arxiv.org/abs/2501.10004"):
        results = search(query)
        assert ids(results) == ["2501.10004"]
        assert results.hits[0].why == "exact arXiv id"


def test_an_exact_title_is_pinned_first(corpus):
    results = search("teaching robots to grasp from human videos!")
    assert ids(results)[0] == "2501.10003"
    assert results.hits[0].why == "exact title"


def test_filters_keep_only_matching_papers(corpus):
    assert ids(search("learning", filters=SearchFilters(category="cs.CR"))) == ["2501.10004"]
    assert ids(search("attention", filters=SearchFilters(has_code=True))) == ["2501.10001"]
    in_march = SearchFilters(date_from=date(2025, 3, 1), date_to=date(2025, 3, 31))
    assert ids(search("models", filters=in_march)) == ["2501.10002"]


def test_filters_alone_list_the_newest_papers(corpus):
    results = search("", filters=SearchFilters(category="cs.LG"))
    assert ids(results) == ["2501.10004", "2501.10002"]


def test_an_organization_filter_uses_the_paper_organization(corpus, example_lab):
    corpus["robot"].organization = example_lab
    corpus["robot"].save()
    results = search("robots", filters=SearchFilters(organization="example-lab"))
    assert ids(results) == ["2501.10003"]


def test_sort_by_date_puts_the_newest_first(corpus):
    results = search("learning models data", sort="date")
    dates = [h.paper.published_at for h in results.hits]
    assert dates == sorted(dates, reverse=True)


def test_hidden_papers_are_never_found(corpus):
    corpus["protein"].hidden = True
    corpus["protein"].save()
    assert "2501.10002" not in ids(search("protein structure"))
    assert ids(search("2501.10002")) == []


def test_without_vectors_it_searches_by_words_only(db):
    make_paper(arxiv_id="2501.20001", title="Quantum Error Correction with Surface Codes")
    results = search("surface codes")
    assert results.mode == "lexical"
    assert ids(results) == ["2501.20001"]


def test_without_a_model_it_searches_by_words_only(corpus, settings):
    settings.PAPERBOY_EMBEDDING = {**settings.PAPERBOY_EMBEDDING, "backend": "none"}
    results = search("protein structure")
    assert results.mode == "lexical"
    assert results.lexical_reason == "off"
    assert ids(results)[0] == "2501.10002"


def test_before_any_vector_it_says_the_meaning_index_is_being_built(db):
    make_paper(arxiv_id="2501.20001", title="Quantum Error Correction with Surface Codes")
    assert search("surface codes").lexical_reason == "building"


def test_after_a_model_change_old_vectors_are_never_compared_with_new_queries(corpus):
    from paperboy.search.models import Embedding

    Embedding.objects.update(model="some-old-model")
    vectors.forget()
    results = search("machines that copy how we pick stuff up after seeing us do it on film")
    assert results.mode == "lexical"
    assert results.lexical_reason == "building"
    assert all(h.why != "similar meaning" for h in results.hits)


def test_vectors_of_another_model_are_not_neighbours(corpus):
    from paperboy.search.embeddings import configured_model_id, get_embedder
    from paperboy.search.models import Embedding

    query = get_embedder().embed(["protein folding"])[0]
    model_id = configured_model_id()
    assert vectors.nearest(query, model_id, k=10)
    Embedding.objects.exclude(paper=corpus["protein"]).update(model="some-old-model")
    vectors.forget()
    assert [pk for pk, _ in vectors.nearest(query, model_id, k=10)] == [corpus["protein"].pk]


@pytest.mark.django_db
def test_a_misspelt_word_is_corrected(db):
    make_paper(arxiv_id="2501.20002", title="Reinforcement Learning for Chip Placement")
    make_paper(arxiv_id="2501.20003", title="Graph Neural Networks for Molecules")
    results = search("reinforcment lerning chip")
    assert ids(results)[0] == "2501.20002"


def test_pagination_returns_the_next_slice(corpus):
    first = search("learning models data attention", limit=2)
    second = search("learning models data attention", limit=2, offset=2)
    assert first.total == second.total >= 3
    assert not set(ids(first)) & set(ids(second))


NASTY = [
    "",
    " ",
    '"',
    '"unbalanced',
    "NEAR(a b)",
    "a AND OR NOT b",
    "title: x",
    "-",
    "*",
    "(((",
    "\x00",
    "a\x00b",
    "😀 🚀 papers",
    "نموذج اللغة",
    "x" * 10_000,
    "' OR 1=1 --",
    "%_\\",
]


@pytest.mark.parametrize("query", NASTY)
def test_it_never_raises_on_nasty_input(corpus, query):
    results = search(query)
    assert isinstance(results.hits, list)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=300))
def test_it_never_raises_on_any_text(corpus, query):
    search(query, limit=5)


def test_a_failing_model_degrades_to_words_for_a_while(corpus, monkeypatch):
    from paperboy.search import engine
    from paperboy.search.embeddings import EmbeddingError

    calls = []

    def broken(text, model_id):
        calls.append(text)
        raise EmbeddingError("the embedding endpoint http://127.0.0.1:9/v1 failed")

    monkeypatch.setattr(engine, "_query_vector", broken)
    monkeypatch.setattr(engine, "_embedder_down_until", [0.0])
    first = search("protein structure")
    assert ids(first)[0] == "2501.10002"
    assert first.mode == "lexical"
    assert first.lexical_reason == "unavailable"
    search("robots")
    assert len(calls) == 1  # not asked again within the minute
