from paperboy.search import typos


def test_it_corrects_one_typo_to_the_most_common_close_word():
    vocabulary = [("transform", 50), ("transfer", 30), ("translat", 5)]
    assert typos.closest("transformr", vocabulary) == "transform"


def test_it_compares_a_word_with_stems_by_their_length():
    assert typos.closest("atention", [("attent", 10), ("attend", 3)]) == "attent"


def test_it_gives_up_when_nothing_is_close():
    assert typos.closest("zebra", [("transform", 5)]) is None
