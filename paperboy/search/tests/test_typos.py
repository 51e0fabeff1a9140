from paperboy.search import typos


def test_it_corrects_one_typo_to_the_most_common_close_word():
    vocabulary = [("transform", 50), ("transfer", 30), ("translat", 5)]
    assert typos.closest("transformr", vocabulary) == "transform"


def test_it_compares_a_word_with_stems_by_their_length():
    assert typos.closest("atention", [("attent", 10), ("attend", 3)]) == "attent"


def test_it_gives_up_when_nothing_is_close():
    assert typos.closest("zebra", [("transform", 5)]) is None


def test_correct_is_the_one_rule_for_both_word_indexes():
    from paperboy.search.typos import correct

    indexed = {"attent": 40, "attenu": 3, "robot": 9, "transform": 50}

    def vocabulary(prefix):
        return [(w, d) for w, d in indexed.items() if w.startswith(prefix)]

    fixed = correct(
        ["attenton", "robots", "tra", "x2y2", "zzzzqx", "transformr"],
        known=lambda t: t in {"robots"},
        vocabulary=vocabulary,
    )
    # A known word, a short one, a non-word and one with nothing close stay as typed.
    assert fixed == ["attent*", "robots", "tra", "x2y2", "zzzzqx", "transform*"]
