"""The fusion is pure: no database."""

from paperboy.search import fusion


def test_it_trusts_words_when_the_top_hits_contain_every_query_word():
    confidence = fusion.lexical_confidence(
        ["sparse", "attention"], ["Sparse attention for transformers"]
    )
    assert confidence == 1.0
    assert fusion.lexical_weight(confidence) == fusion.W_MAX


def test_it_trusts_meaning_when_the_top_hits_miss_most_query_words():
    terms = ["teach", "machines", "pick", "things", "watching", "people"]
    confidence = fusion.lexical_confidence(terms, ["Things we know about the world"])
    assert confidence < fusion.FLOOR
    assert fusion.lexical_weight(confidence) == 0.0


def test_the_lexical_weight_rises_with_coverage():
    weights = [fusion.lexical_weight(c / 10) for c in range(11)]
    assert weights == sorted(weights)
    assert 0 < weights[5] < weights[10] == fusion.W_MAX


def test_coverage_matches_word_forms_by_a_crude_stem():
    assert fusion.coverage(["learning"], "we learned a lot") == 1.0
    assert fusion.coverage([], "anything") == 0.0


def test_fuse_puts_a_paper_found_by_both_sides_first():
    lexical = [(1, 10.0), (2, 8.0)]
    dense = [(3, 0.9), (2, 0.8), (4, 0.2)]
    ranked = fusion.fuse(lexical, dense, weight=0.5)
    assert ranked[0].paper_id == 2
    assert {f.paper_id for f in ranked} == {1, 2, 3, 4}


def test_fuse_with_no_dense_list_keeps_the_lexical_order():
    ranked = fusion.fuse([(5, 3.0), (6, 2.0), (7, 1.0)], [], weight=0.1)
    assert [f.paper_id for f in ranked] == [5, 6, 7]
    assert ranked[0].why == "matching words"


def test_fuse_with_no_lexical_list_keeps_the_dense_order():
    ranked = fusion.fuse([], [(5, 0.3), (6, 0.9)], weight=0.9)
    assert [f.paper_id for f in ranked] == [6, 5]
    assert ranked[0].why == "similar meaning"


def test_weighted_rrf_sums_reciprocal_ranks():
    ranked = fusion.rrf([[(1, 0), (2, 0)], [(2, 0), (3, 0)]], k=60)
    assert ranked[0][0] == 2
