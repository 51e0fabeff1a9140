"""One spelling behaviour on every backend: FTS5 and PostgreSQL full text (``db``, run with
``--db=sqlite`` and ``--db=postgres``) and the Tantivy word index (``words``): every misspelt
word is corrected or none is, and the page shows the query that ran and offers the original."""

import pytest
from django.urls import reverse

from paperboy.search import engine, lexical, wordindex
from paperboy.testing import make_paper

PAPERS = [
    ("Reinforcement Learning for Chip Placement", "Agents learn to place macros on chips."),
    (
        "Language Models as Reinforcement Learning Agents",
        "A large language model acts as the policy of a learning agent.",
    ),
    ("Graph Neural Networks for Molecules", "Message passing over atoms and bonds."),
]


def catalog() -> list:
    return [make_paper(title=t, abstract=a) for t, a in PAPERS]


@pytest.fixture
def words(settings, tmp_path):
    settings.SEARCH_WORD_INDEX = "on"
    settings.SEARCH_WORD_INDEX_DIR = str(tmp_path / "words")
    wordindex.forget()
    yield
    wordindex.forget()


def check_every_word_corrected():
    # "reinforcment" is stemmed like "reinforcement" (it matched as typed), "lerning" is not
    # indexed at all (its typo is in the third letter): both are shown corrected.
    results = engine.search("reinforcment lerning")
    assert results.corrected == "reinforcement learning"
    assert results.hits and "Reinforcement" in results.hits[0].paper.title
    results = engine.search("reinforcment lerning language model")
    assert results.corrected == "reinforcement learning language model"
    assert results.hits[0].paper.title == "Language Models as Reinforcement Learning Agents"


def check_none_corrected_when_one_word_has_no_spelling():
    results = engine.search("reinforcment lerning qwxzvplorknik")
    assert results.corrected == ""


def check_as_typed():
    assert engine.search("reinforcment lerning", spell=False).corrected == ""
    assert engine.search("reinforcement learning").corrected == ""  # nothing to correct


def test_the_database_full_text_corrects_every_misspelt_word(db, settings):
    settings.SEARCH_WORD_INDEX = "off"
    catalog()
    check_every_word_corrected()


def test_the_database_full_text_corrects_none_when_one_word_is_unknown(db, settings):
    settings.SEARCH_WORD_INDEX = "off"
    catalog()
    check_none_corrected_when_one_word_has_no_spelling()
    check_as_typed()


def test_the_database_vocabulary_offers_stems_sharing_two_letters(db, settings):
    settings.SEARCH_WORD_INDEX = "off"
    catalog()
    fixed = lexical.corrected_terms(["lerning", "chip", "moleclues"])
    assert fixed[1] == "chip"
    assert fixed[0].startswith("learn") and fixed[0].endswith("*")
    assert fixed[2].startswith("molecul") and fixed[2].endswith("*")
    assert lexical.corrected_terms(["lerning", "qwxzvplorknik"]) == ["lerning", "qwxzvplorknik"]


def test_the_word_index_corrects_every_misspelt_word(transactional_db, words):
    catalog()
    wordindex.build()
    check_every_word_corrected()
    check_none_corrected_when_one_word_has_no_spelling()
    check_as_typed()


def test_the_page_shows_the_query_that_ran_and_offers_the_original(client, db, settings):
    settings.SEARCH_WORD_INDEX = "off"
    catalog()
    page = client.get(reverse("search:search"), {"q": "reinforcment lerning"})
    html = page.content.decode()
    assert "showing results for <strong>reinforcement learning</strong>" in html
    assert "search instead for reinforcment lerning" in html
    assert "as_typed=1" in html
    page = client.get(reverse("search:search"), {"q": "reinforcment lerning", "as_typed": "1"})
    assert "showing results for" not in page.content.decode()
