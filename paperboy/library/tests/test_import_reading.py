"""Reading an import (``importing.read``): every good entry read with its arXiv ids, every bad
one reported with its reason, whole inputs refused past the caps. No database needed."""

import json
import re

import pytest

from paperboy.lib import limits
from paperboy.library import importing
from paperboy.library.importing import BIBTEX, CSL, IDS, RIS, Refused

BIB = rb"""
@misc{good1, title={Good One}, eprint={2501.00001}, archivePrefix={arXiv},
  author={D{\"o}e, J. and Smith, A.}}
@article{broken, title={Unbalanced {brace, year=2020}
@misc{good2, title = "Caf{\'e} Soci{\'{e}}t{\`a}", url={https://arxiv.org/abs/2501.00002v2}}
@misc{good1, title={Same key, other paper}, journal={arXiv preprint arXiv:hep-th/9901001}}
@misc{nokey title={x}}
@misc{good3, title={Third}, doi={10.48550/arXiv.2501.00003}}
@comment{Zotero writes comments}
@misc{good4, title={Only {T}itle}, note={arXiv:2501.00004v3 [cs.CL].}}
@misc{hal, title={Not arXiv}, eprint={hal-01234}, archivePrefix={HAL}}
"""


def _summary(reading):
    return [(r.label, [i for i, _ in r.ids], bool(r.error)) for r in reading.references]


def test_a_broken_bibtex_entry_among_good_ones_is_reported_and_the_rest_read():
    reading = importing.read(BIB)

    assert reading.format == BIBTEX
    assert _summary(reading) == [
        ("good1", ["2501.00001"], False),
        ("@article{broken, title={Unbalanced {brace, year=2020}", [], True),
        ("good2", ["2501.00002"], False),
        ("good1", ["hep-th/9901001"], False),  # a repeated key is still a whole entry
        ("@misc{nokey title=", [], True),
        ("good3", ["2501.00003"], False),
        ("good4", ["2501.00004"], False),
        ("hal", [], False),
    ]
    broken = reading.references[1]
    assert broken.error.startswith("Line 4: this entry is not valid BibTeX (")
    assert "closing `}`" in broken.error
    assert reading.references[4].error.startswith("Line 7:")
    assert reading.references[0].ids == [("2501.00001", "eprint")]


def test_latex_accents_in_titles_are_read_as_letters():
    reading = importing.read(BIB)

    assert reading.references[2].title == "Café Sociétà"
    assert reading.references[6].title == "Only Title"
    assert importing.title_key(r"Caf{\'e}: A $\alpha$-Study") == importing.title_key(
        "Café: a α-study"
    )


def test_non_utf8_bytes_are_reported_and_the_entries_still_read():
    data = b"@misc{latin, title={Caf\xe9}, eprint={2501.00001}}\n@misc{ok, eprint={2501.00002}}\n"

    reading = importing.read(data)

    assert [r.ids[0][0] for r in reading.references] == ["2501.00001", "2501.00002"]
    assert reading.references[0].title == "Caf\ufffd"
    assert reading.notes and "not all UTF-8: 1 byte could not be read" in reading.notes[0]


def test_a_nul_byte_never_reaches_a_title():
    reading = importing.read(b"@misc{a, title={Bad\x00Title}, eprint={2501.00001}}")

    assert "\x00" not in reading.references[0].title


def test_an_upload_past_the_size_cap_is_refused_with_the_cap_in_the_message():
    data = b"@misc{x, title={" + b"a" * (50 * 1024 * 1024) + b"}}"

    with pytest.raises(Refused) as refused:
        importing.read(data)

    assert "50 MB" in str(refused.value)
    assert f"at most {limits.IMPORT_MAX_BYTES // 1_048_576} MB" in str(refused.value)


def test_an_input_past_the_entry_cap_is_refused_before_it_is_parsed():
    data = "".join(f"@misc{{k{n}, eprint={{2501.{n % 99999:05d}}}}}\n" for n in range(100_000))

    with pytest.raises(Refused) as refused:
        importing.read(data.encode())

    assert "100,000 entries" in str(refused.value)
    assert f"at most {limits.IMPORT_MAX_ENTRIES:,}" in str(refused.value)


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\xef\xbb\xbf"])
def test_an_empty_input_is_refused(data):
    with pytest.raises(Refused, match="nothing to import"):
        importing.read(data)


def test_ris_records_are_read_one_by_one_and_one_without_an_end_is_reported():
    data = (
        b"TY  - UNPB\nTI  - A\nUR  - https://arxiv.org/abs/2501.00001\nER  - \n\n"
        b"TY  - JOUR\nTI  - never ends\n"
        b"TY  - JOUR\nTI  - C\nN1  - arXiv:2501.00003 [cs.CL]\nER  - \n"
        b"TY  - JOUR\nTI  - D\nDO  - 10.48550/arXiv.2501.00004\nER  - \n"
    )

    reading = importing.read(data)

    assert reading.format == RIS
    assert _summary(reading) == [
        ("A", ["2501.00001"], False),
        ("line 6", [], True),
        ("C", ["2501.00003"], False),
        ("D", ["2501.00004"], False),
    ]
    assert "no end" in reading.references[1].error


def test_csl_json_items_that_are_not_objects_are_reported():
    data = json.dumps(
        [
            {"id": "a", "title": "A", "URL": "http://arxiv.org/abs/2501.00001"},
            5,
            {"title": "B", "DOI": "10.48550/ARXIV.2501.00002"},
            {"title": "C", "number": "arXiv:2501.00003"},
        ]
    ).encode()

    reading = importing.read(data)

    assert reading.format == CSL
    assert _summary(reading) == [
        ("A", ["2501.00001"], False),
        ("item 2", [], True),
        ("B", ["2501.00002"], False),
        ("C", ["2501.00003"], False),
    ]


def test_json_that_does_not_parse_is_one_bad_entry_saying_where():
    (reference,) = importing.read(b'[{"title": "A", ]').references

    assert reference.label == "the whole input"
    assert re.search(r"not valid JSON \(line 1, column \d+", reference.error)


@pytest.mark.parametrize("data", [b"[]", b"@comment{nothing here}"])
def test_an_input_without_entries_is_one_bad_entry(data):
    (reference,) = importing.read(data).references

    assert reference.error


def test_pasted_ids_links_and_dois():
    text = (
        "2501.00001, https://arxiv.org/pdf/2501.00002v1.pdf\n"
        "10.48550/arXiv.2501.00003 https://doi.org/10.48550/arXiv.2501.00009\n"
        "junk arXiv:hep-th/9901001v2"
    )

    reading = importing.read(text)

    assert reading.format == IDS
    assert _summary(reading) == [
        ("2501.00001", ["2501.00001"], False),
        ("https://arxiv.org/pdf/2501.00002v1.pdf", ["2501.00002"], False),
        ("10.48550/arXiv.2501.00003", ["2501.00003"], False),
        ("https://doi.org/10.48550/arXiv.2501.00009", ["2501.00009"], False),
        ("junk", [], True),
        ("arXiv:hep-th/9901001v2", ["hep-th/9901001"], False),
    ]
    assert "is not an arXiv id" in reading.references[4].error
