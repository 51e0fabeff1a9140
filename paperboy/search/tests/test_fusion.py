"""The fusion is pure: no database."""

from paperboy.search import fusion


def sig(text, terms, top_texts, lexical_ids=(), dense_ids=(), dense_texts=()):
    return fusion.signals(
        text, terms, list(top_texts), lexical_ids, list(dense_ids), list(dense_texts)
    )


def test_it_trusts_words_when_the_top_hits_contain_every_query_word():
    s = sig("sparse attention", ["sparse", "attention"], ["Sparse attention for transformers"])
    assert s.coverage == 1.0
    assert fusion.lexical_weight(s) > 0.9


def test_it_trusts_meaning_alone_when_the_top_hits_miss_most_query_words():
    text = "teach machines to pick things up by watching people"
    terms = ["teach", "machines", "pick", "things", "watching", "people"]
    s = sig(text, terms, ["Things we know about the world"])
    assert s.coverage < 0.2
    assert fusion.lexical_weight(s) == 0.0  # exactly: no lift for a stray shared word


def test_the_signals_are_read_from_the_query_and_both_sides():
    s = sig(
        "a robot that learns from the videos",
        ["robot", "learns", "videos"],
        ["robots learn", "videos"],
        lexical_ids=[1, 2, 3],
        dense_ids=[3, 4, 5, 6],
        dense_texts=["nothing here"],
    )
    assert s.terms == 3
    assert round(s.stop_share, 2) == round(1 - 3 / 7, 2)
    assert s.agreement == 0.25  # one of the dense side's four is also a word hit
    assert s.dense_coverage == 0.0
    assert round(s.coverage, 2) == 0.5


def test_the_lexical_weight_rises_with_coverage_and_stays_within_0_and_1():
    weights = [
        fusion.lexical_weight(fusion.Signals(coverage=c / 10, terms=3, stop_share=0, agreement=0))
        for c in range(11)
    ]
    assert weights == sorted(weights)
    assert weights[0] == 0.0 and 0 < weights[10] <= 1.0


def test_the_floor_keeps_word_hits_only_when_words_count_and_close_meanings():
    fused = fusion.fuse([(1, 5.0), (2, 1.0)], [(3, 0.6), (4, 0.1), (1, 0.2)], weight=0.5)
    kept = fusion.close_matches(fused, [(3, 0.6), (4, 0.1), (1, 0.2)], [1, 2], words_count=True)
    assert {f.paper_id for f in kept} == {1, 2, 3}
    kept = fusion.close_matches(fused, [(3, 0.6), (4, 0.1), (1, 0.2)], [1, 2], words_count=False)
    assert [f.paper_id for f in kept] == [3]


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
