"""Tests for clean_text: what it strips from source text and what it must leave alone."""

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from paperboy.lib.text import _clean, _collapse, clean_text, tex_typography


def test_it_strips_html_tags_and_keeps_their_text():
    text = 'Code at <a href="https://github.com/x/y">this https URL</a>, <b>bold</b> <I>it</I>.'

    assert clean_text(text) == "Code at this https URL, bold it."


def test_tags_inside_a_word_do_not_split_it():
    assert clean_text("H<sub>2</sub>O and x<sup>2</sup>") == "H2O and x2"


def test_line_breaking_tags_leave_a_space_or_a_paragraph():
    text = "<p class='abstract'>First<br/>line</p><p>Second</p>"

    assert clean_text(text) == "First line Second"
    assert clean_text(text, keep_newlines=True) == "First line\n\nSecond"


def test_it_keeps_inequalities_in_math():
    assert clean_text("for $a<b$ and $c>d$") == "for $a<b$ and $c>d$"
    assert clean_text("when $0<i<n$ holds") == "when $0<i<n$ holds"


def test_it_keeps_math_that_looks_like_a_tag_with_attributes():
    text = r"where $a<b \leq c$ and $d>e$ hold"

    assert clean_text(text) == text


def test_it_unescapes_entities():
    assert clean_text("Tom &amp; Jerry &lt;3 &eacute;t&eacute;") == "Tom & Jerry <3 été"


def test_it_collapses_whitespace_to_one_line_by_default():
    assert clean_text("  A title\n  wrapped\tover lines  ") == "A title wrapped over lines"


def test_it_joins_hard_line_breaks_in_abstracts():
    text = (
        "We present an efficient approach for leveraging\nthe knowledge from multiple\nmodalities."
    )

    assert clean_text(text, keep_newlines=True) == (
        "We present an efficient approach for leveraging the knowledge from multiple modalities."
    )


def test_it_keeps_paragraphs_separated_by_blank_lines():
    text = "First paragraph\nwrapped.\n\n\nSecond paragraph.\r\n\r\nThird."

    assert clean_text(text, keep_newlines=True) == (
        "First paragraph wrapped.\n\nSecond paragraph.\n\nThird."
    )


def test_it_keeps_paragraphs_that_arxiv_marks_by_indenting():
    # As arXiv stores 2508.18407's abstract: a paragraph starts on an indented line.
    text = (
        "that OOD\nevaluations can capture and reflect upon possible failures in a real-world\n"
        "deployment.\n  In this work, we challenge this assumption"
    )

    assert clean_text(text, keep_newlines=True) == (
        "that OOD evaluations can capture and reflect upon possible failures in a real-world "
        "deployment.\n\nIn this work, we challenge this assumption"
    )


def test_it_drops_control_characters():
    text = "Zero\x00 bell\x07 escape\x1b[0m del\x7f next-line\x85 end"

    assert clean_text(text) == "Zero bell escape[0m del next-line end"


def test_it_keeps_tabs_and_newlines_as_whitespace():
    assert clean_text("a\tb\nc\rd") == "a b c d"


def test_it_accepts_none_and_empty_text():
    assert clean_text(None) == ""
    assert clean_text("", keep_newlines=True) == ""


def test_tex_quotes_and_dashes_become_the_characters_they_stand_for():
    text = "Requests -- ``open this bottle'' -- from 2019--2021 in question--answer pairs---mostly"

    assert tex_typography(text) == (
        "Requests \u2013 \u201copen this bottle\u201d \u2013 from 2019\u20132021 "
        "in question\u2013answer pairs\u2014mostly"
    )


def test_tex_typography_leaves_math_and_command_line_flags_alone():
    text = "for $f''(x)$ and $$a--b$$ and \\(g''\\), run it with --verbose"

    assert tex_typography(text) == text


_PIECES = [
    "a",
    "b",
    " ",
    "  ",
    "É",
    "\u00a0",
    "\u2003",
    "\u200b",
    "<b>",
    "</i>",
    "<br/>",
    "<",
    ">",
    "&amp;",
    "&eacute;",
    "&",
    "\n",
    "\n  ",
    "\t",
    "\x0b\x0c",
    "\r\n",
    "\x00",
    "\x85",
    "$a<b$",
]


@settings(max_examples=400)
@given(st.lists(st.sampled_from(_PIECES)).map("".join), st.booleans())
@example("a  b", False)
@example("Tom &amp; Jerry", False)
@example("x\x00y\x85", True)
def test_the_fast_path_for_plain_text_gives_what_the_full_clean_up_gives(text, keep_newlines):
    assert clean_text(text, keep_newlines=keep_newlines) == _clean(text, keep_newlines)


@settings(max_examples=400)
@given(st.lists(st.sampled_from(_PIECES)).map("".join))
def test_collapsing_whitespace_without_a_regex_gives_what_the_regex_gives(text):
    # The regular expression clean-up used before (and the reference here).
    assert _collapse(text) == re.sub(r"[ \t\r\f\v]+", " ", text.replace("\n", " ")).strip()


def test_words_are_runs_of_letters_or_digits_in_any_script_lower_cased():
    from paperboy.lib.text import words

    text = "Self-attention_is ALL you need: GPT-4, Ünïcode 東京 (x+y)"
    assert words(text) == [
        *("self", "attention", "is", "all", "you", "need", "gpt", "4", "ünïcode", "東京", "x", "y")
    ]
    assert words("") == words(None) == []
