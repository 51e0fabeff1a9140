"""Turning typed text into a safe full-text query (pure)."""

from hypothesis import given
from hypothesis import strategies as st

from paperboy.search import lexical


def test_it_drops_stop_words_and_syntax():
    parsed = lexical.parse('"sparse" AND attention OR (NEAR transformers*) -the')
    assert parsed.terms == ("sparse", "attention", "near", "transformers")


def test_a_query_of_only_stop_words_still_searches():
    assert lexical.parse("the who").terms == ("the", "who")


def test_fts5_terms_are_quoted():
    assert lexical.fts5_query(['a"b', "c"]) == '"a""b" OR "c"'


def test_control_characters_and_nul_bytes_are_removed():
    assert lexical.clean("a\x00b\tc\n") == "a b c"


def test_long_queries_are_cut():
    assert len(lexical.parse("word " * 5000).text) <= 1000
    assert len(lexical.parse(" ".join(f"w{i}x" for i in range(100))).terms) == lexical.MAX_TERMS


def test_title_key_ignores_case_and_punctuation():
    assert lexical.title_key("Attention Is All You Need!") == lexical.title_key(
        "attention is  all you need"
    )


@given(st.text())
def test_parse_never_raises(text):
    parsed = lexical.parse(text)
    lexical.fts5_query(parsed.terms)
    lexical.tsquery_text(parsed.terms)


def test_common_words_are_dropped_when_rarer_ones_remain():
    terms = ["model", "diffusion", "video", "learning", "protein"]
    freqs = [80_000, 3_000, 4_000, 40_000, 500]
    assert lexical.keep_rare(terms, freqs, 100_000) == ["diffusion", "video", "protein"]


def test_a_query_of_common_words_keeps_its_rarest_three():
    terms = ["model", "learning", "data", "results"]
    freqs = [80_000, 40_000, 30_000, 50_000]
    assert lexical.keep_rare(terms, freqs, 100_000) == ["learning", "data", "results"]


def test_small_catalogs_keep_every_word():
    assert lexical.keep_rare(["a1", "b2", "c3", "d4"], [9, 9, 9, 9], 10) == ["a1", "b2", "c3", "d4"]
