"""Tests for parse_arxiv_id: ids, versions, prefixes and links as people paste them."""

import pytest

from paperboy.lib.arxiv_ids import ArxivId, InvalidArxivId, parse_arxiv_id


@pytest.mark.parametrize(
    ("text", "base", "version"),
    [
        ("2510.12345", "2510.12345", None),
        ("1412.6980", "1412.6980", None),  # four digits after the dot until 2014-12
        ("0704.0001", "0704.0001", None),  # the first new-style id
        ("hep-th/9901001", "hep-th/9901001", None),
        ("math.GT/0309136", "math.GT/0309136", None),
        ("cond-mat/0702661v2", "cond-mat/0702661", 2),
        ("2510.12345v3", "2510.12345", 3),
        ("  2510.12345v12 \n", "2510.12345", 12),
    ],
)
def test_it_parses_new_old_and_versioned_ids(text, base, version):
    assert parse_arxiv_id(text) == ArxivId(base=base, version=version)


@pytest.mark.parametrize(
    ("text", "base", "version"),
    [
        ("https://arxiv.org/abs/2510.12345", "2510.12345", None),
        ("https://arxiv.org/abs/2510.12345v2", "2510.12345", 2),
        ("http://www.arxiv.org/abs/2510.12345/", "2510.12345", None),
        ("https://export.arxiv.org/abs/hep-th/9901001v3", "hep-th/9901001", 3),
        ("arxiv.org/abs/2510.12345?context=cs", "2510.12345", None),
        ("https://arxiv.org/abs/2510.12345#comments", "2510.12345", None),
        ("https://arxiv.org/html/2510.12345v1", "2510.12345", 1),
        ("HTTPS://ARXIV.ORG/abs/2510.12345", "2510.12345", None),
    ],
)
def test_it_parses_abs_and_html_urls(text, base, version):
    assert parse_arxiv_id(text) == ArxivId(base=base, version=version)


@pytest.mark.parametrize(
    ("text", "base", "version"),
    [
        ("https://arxiv.org/pdf/2510.12345", "2510.12345", None),
        ("https://arxiv.org/pdf/2510.12345v2", "2510.12345", 2),
        ("https://arxiv.org/pdf/2510.12345v2.pdf", "2510.12345", 2),
        ("https://arxiv.org/pdf/hep-th/9901001v1.pdf", "hep-th/9901001", 1),
    ],
)
def test_it_parses_pdf_urls(text, base, version):
    assert parse_arxiv_id(text) == ArxivId(base=base, version=version)


@pytest.mark.parametrize("text", ["arXiv:2510.12345", "arxiv:2510.12345", "ARXIV: 2510.12345"])
def test_it_accepts_the_arxiv_prefix(text):
    assert parse_arxiv_id(text) == ArxivId(base="2510.12345")


def test_it_prints_the_id_with_its_version():
    assert str(parse_arxiv_id("arXiv:2510.12345v2")) == "2510.12345v2"
    assert str(parse_arxiv_id("hep-th/9901001")) == "hep-th/9901001"


@pytest.mark.parametrize(
    "text",
    [
        "attention is all you need",
        "https://example.org/abs/2510.12345",
        "https://arxiv.org/list/cs.CL/recent",
        "2510.12345.pdf",
        "2510-12345",
        "2510.123456",
        "hep-th/990100",
        "HEP-TH/9901001",
        "2510.12345v",
        "<script>2510.12345</script>",
    ],
)
def test_it_rejects_garbage(text):
    with pytest.raises(InvalidArxivId, match="is not an arXiv id"):
        parse_arxiv_id(text)


@pytest.mark.parametrize("text", ["", "   ", None])
def test_it_asks_for_an_id_when_empty(text):
    with pytest.raises(InvalidArxivId, match="Enter an arXiv id"):
        parse_arxiv_id(text)


def test_it_rejects_text_that_is_too_long():
    with pytest.raises(InvalidArxivId, match="too long"):
        parse_arxiv_id("https://arxiv.org/abs/2510.12345?" + "x" * 200)


@pytest.mark.parametrize("text", ["2513.12345", "2500.12345", "hep-th/9913001", "hep-th/9900001"])
def test_it_rejects_a_month_that_does_not_exist(text):
    with pytest.raises(InvalidArxivId, match="no valid month"):
        parse_arxiv_id(text)


@pytest.mark.parametrize("text", ["2510.1234", "1412.12345", "0801.12345"])
def test_it_rejects_the_wrong_number_of_digits_for_the_year(text):
    with pytest.raises(InvalidArxivId, match="wrong number of digits"):
        parse_arxiv_id(text)


def test_it_rejects_new_style_ids_from_before_april_2007():
    with pytest.raises(InvalidArxivId, match="older than"):
        parse_arxiv_id("0703.0001")


@pytest.mark.parametrize("text", ["2510.12345v0", "2510.12345v01"])
def test_it_rejects_version_zero(text):
    with pytest.raises(InvalidArxivId):
        parse_arxiv_id(text)


@pytest.mark.parametrize("text", ["٢٥١٠.١٢٣٤٥", "２５１０.１２３４５", "hep-th/٩٩٠١٠٠١"])
def test_it_rejects_digits_from_other_scripts(text):
    # They would store a second, unreachable copy of a paper under a look-alike id.
    with pytest.raises(InvalidArxivId):
        parse_arxiv_id(text)


def test_it_rejects_a_newline_inside_the_text():
    with pytest.raises(InvalidArxivId):
        parse_arxiv_id("2510.12345\n2510.54321")
