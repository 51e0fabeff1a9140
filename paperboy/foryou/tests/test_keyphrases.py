"""keyphrases.py: the phrases a recommendation and the member's paper share, lightly normalised."""

from paperboy.foryou.keyphrases import both_on, normalise, shared


def test_phrases_match_case_hyphens_plurals_and_spacing_apart():
    assert normalise("Graph  Neural-Networks.") == normalise("graph neural network")
    assert normalise("Ｓｐａｒｓｅ Attention") == "sparse attention"
    assert normalise("loss") == "loss"  # a double s is not a plural
    assert normalise("—") == "" and normalise(7) == ""


def test_up_to_two_shared_phrases_as_the_recommendation_words_them_in_its_order():
    mine = ["Long-Context Models", "sparse attention", "Top-k Routing", "memory"]
    theirs = ["Memory", "top k routing", "Sparse attention", "long context model"]
    assert shared(mine, theirs) == ["Long-Context Models", "sparse attention"]
    assert shared(["protein folding"], theirs) == []
    assert shared([], theirs) == shared(mine, None) == shared("sparse attention", theirs) == []
    assert shared(["GNNs", "gnn", "GNN"], ["gnn"]) == ["GNNs"]  # one phrase named once


def test_the_reason_tail_names_them():
    assert both_on([]) == ""
    assert both_on(["sparse attention"]) == " — both on sparse attention"
    assert both_on(["a", "b"]) == " — both on a and b"
