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
        ["attenton", "robots", "tra", "x2y2", "transformr"],
        known=lambda t: t in {"robots"},
        vocabulary=vocabulary,
    )
    # A known word, a short one and a non-word stay as typed.
    assert fixed == ["attent*", "robots", "tra", "x2y2", "transform*"]


def test_one_word_with_nothing_close_leaves_every_word_as_typed():
    from paperboy.search.typos import correct

    def vocabulary(prefix):
        return [(w, 5) for w in ("attent", "transform") if w.startswith(prefix)]

    typed = ["attenton", "zzzzqx", "transformr"]
    assert correct(typed, known=lambda t: False, vocabulary=vocabulary) == typed


def test_the_index_stem_of_a_word_is_compared_too():
    # "reinforcmnt" is 3 edits from the stem "reinforc", but its own stem is 1 edit from it.
    vocabulary = [("reinforc", 90), ("reinstat", 3)]
    assert typos.closest("reinforcmnt", vocabulary) is None
    assert typos.closest("reinforcmnt", vocabulary, stem=lambda w: "reinforcm") == "reinforc"


def test_spelled_out_reads_the_hits_spelling():
    texts = ["Reinforcement learning for robots.", "Robot learning from videos."]
    typed = ["reinforcment", "lerning", "robots"]
    assert typos.spelled_out(typed, ["reinforcment", "learn*", "robots"], texts) == [
        "reinforcement",
        "learning",
        "robots",
    ]
    # Another ending of a word the hits use is not a misspelling.
    assert typos.spelled_out(["robot"], ["robot"], ["Robots grasp."]) == ["robot"]
    # A word found in no form: every word as typed.
    assert typos.spelled_out(["reinforcment", "qwxzv"], ["reinforcment", "qwxzv"], texts) == [
        "reinforcment",
        "qwxzv",
    ]
