"""similar_papers() and the paper page's "Similar papers" block."""

from paperboy.search.similar import similar_papers
from paperboy.testing import make_paper


def test_it_returns_the_nearest_papers_to_the_centroid(corpus):
    papers = similar_papers([corpus["attention"].pk], k=2)
    assert len(papers) == 2
    assert corpus["attention"] not in papers


def test_it_honours_exclude_and_k(corpus):
    others = {corpus["protein"].pk, corpus["robot"].pk}
    papers = similar_papers([corpus["attention"].pk], k=5, exclude=others)
    assert [p.pk for p in papers] == [corpus["privacy"].pk]


def test_without_vectors_it_falls_back_to_words_then_category(db):
    a = make_paper(title="Graph Neural Networks for Molecules", categories=["cs.LG"])
    b = make_paper(title="Message Passing Graph Networks", categories=["cs.LG"])
    c = make_paper(title="Unrelated Title About Databases", categories=["cs.LG"])
    papers = similar_papers([a.pk], k=2)
    assert papers[0] == b
    assert c in papers


def test_it_returns_nothing_for_nothing(db):
    assert similar_papers([], k=5) == []


def test_the_paper_page_loads_the_block_with_htmx(client, corpus):
    page = client.get("/papers/2501.10001")
    assert '/papers/2501.10001/similar"' in page.content.decode()
    block = client.get("/papers/2501.10001/similar", headers={"HX-Request": "true"})
    assert block.status_code == 200
    assert "Similar papers" in block.content.decode()
    assert len(block.context["papers"]) == 3


def test_the_block_of_an_unknown_paper_is_a_404(client, db):
    assert client.get("/papers/2501.99999/similar").status_code == 404


def test_a_batch_among_a_pool_ranks_each_profile_as_the_catalog_does(corpus):
    """The digests' "for you" and the paper page share one rule: a batch of profiles scored
    against a pool (one matrix product) ranks like one profile against the vector index."""
    from paperboy.search.similar import Pool, similar_many

    ids = [p.pk for p in corpus.values()]
    pool = Pool.load(ids, {p.pk: p.primary_category for p in corpus.values()})
    profiles = {"a": [corpus["attention"].pk], "b": [corpus["protein"].pk]}
    batch = similar_many(profiles, k=2, exclude={"b": {corpus["robot"].pk}}, pool=pool)

    assert pool.matrix is not None and len(pool.vector_ids) == len(ids)
    assert batch["a"] == [p.pk for p in similar_papers(profiles["a"], k=2)]
    assert batch["b"] == [
        p.pk for p in similar_papers(profiles["b"], k=2, exclude={corpus["robot"].pk})
    ]
    assert corpus["robot"].pk not in batch["b"] and corpus["protein"].pk not in batch["b"]


def test_a_batch_without_vectors_falls_back_to_words_among_the_pool_only(db):
    from paperboy.search.similar import Pool, similar_many

    a = make_paper(title="Graph Neural Networks for Molecules", categories=["cs.LG"])
    inside = make_paper(title="Message Passing Graph Networks", categories=["cs.LG"])
    outside = make_paper(title="Graph Networks Message Passing Again", categories=["cs.LG"])
    pool = Pool([inside.pk], {inside.pk: "cs.LG"})

    assert similar_many({1: [a.pk]}, k=3, pool=pool) == {1: [inside.pk]}
    assert outside.pk in similar_many({1: [a.pk]}, k=3)[1]
