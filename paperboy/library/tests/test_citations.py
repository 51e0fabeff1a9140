"""Citations: BibTeX as arXiv writes it, RIS and CSL-JSON, each read back by its own parser."""

import json
from datetime import UTC, date, datetime

import bibtexparser
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware

from paperboy.library import citations
from paperboy.library.citations import Work
from paperboy.testing import make_paper

SILVA = Work(
    arxiv_id="2407.18699",
    version=1,
    title="A Public Dataset For the ZKsync Rollup",
    authors=("Maria Inês Silva", "Johnnatan Messias", "Benjamin Livshits"),
    published=date(2024, 7, 26),
    updated=date(2024, 7, 26),
    primary_category="cs.CR",
    categories=("cs.CR",),
)


def _work(**changes) -> Work:
    fields = {**SILVA.__dict__, **changes}
    return Work(**fields)


def test_bibtex_is_arxivs_own_entry():
    assert citations.bibtex([SILVA]) == (
        "@misc{silva2024publicdatasetzksyncrollup,\n"
        "  title = {A Public Dataset For the ZKsync Rollup},\n"
        "  author = {Maria In{\\^e}s Silva and Johnnatan Messias and Benjamin Livshits},\n"
        "  year = {2024},\n"
        "  eprint = {2407.18699},\n"
        "  archivePrefix = {arXiv},\n"
        "  primaryClass = {cs.CR},\n"
        "  url = {https://arxiv.org/abs/2407.18699}\n"
        "}\n"
    )


def test_the_key_is_arxivs_last_name_year_and_four_title_words():
    vaswani = _work(
        title="Attention Is All You Need",
        authors=("Ashish Vaswani", "Noam Shazeer"),
        updated=date(2023, 8, 2),
    )
    liang = _work(
        title="Look Inside for More: Internal Spatial Modality", authors=("Hanzhe Liang",)
    )
    melo = _work(title="Déjà View", authors=("Gerard de Melo",), updated=date(2025, 1, 1))

    assert citations.cite_key(vaswani) == "vaswani2023attentionneed"  # year of this version
    assert citations.cite_key(liang) == "liang2024lookinsidemoreinternal"
    assert citations.cite_key(melo) == "melo2025dejaview"
    assert citations.cite_key(_work(authors=())) == "anonymous2024publicdatasetzksyncrollup"


def test_keys_repeated_in_a_list_get_letters():
    text = citations.bibtex([SILVA, _work(arxiv_id="2407.00001"), _work(arxiv_id="2407.00002")])

    library = bibtexparser.parse_string(text)
    assert [e.key for e in library.entries] == [
        "silva2024publicdatasetzksyncrollup",
        "silva2024publicdatasetzksyncrollupa",
        "silva2024publicdatasetzksyncrollupb",
    ]
    assert not library.failed_blocks


NASTY = r"$Δ$ynamics & 50% of {unbalanced \ECUAS{n}: x_1 #1 ~ ^ $\alpha_{1}$ Déjà 中文 $ {broken$"


def test_bibtex_is_latex_safe_whatever_the_title_holds():
    work = _work(
        title=NASTY,
        authors=("Smith, Jr., John", "Tom and Jerry", "Zoë Ö'Brien"),
    )

    text = citations.bibtex([work])

    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks
    (entry,) = library.entries
    title = entry["title"]
    # Every TeX special outside math is escaped, so it reads back as the character itself.
    for piece in ("&", "50%", "{unbalanced", "\\ECUAS{n}", "x_1", "#1", "~", "Déjà", "中文"):
        assert piece in title, piece
    assert "$\\alpha_{1}$" in text  # balanced math is kept as TeX
    assert "{\\textasciicircum}" in text
    raw = bibtexparser.parse_string(text).entries[0]["title"]
    depth = 0
    for i, char in enumerate(raw):
        if char in "{}" and (i == 0 or raw[i - 1] != "\\"):
            depth += 1 if char == "{" else -1
            assert depth >= 0
    assert depth == 0
    # A comma or a lone "and" in a name would split it: such names are braced.
    assert '{Smith, Jr., John} and {Tom and Jerry} and Zo{\\"e} {\\"O}\'Brien' in text


def test_ris_reads_back_with_rispy():
    text = citations.ris([SILVA, _work(arxiv_id="2401.00001", title="Second")], abstracts=False)

    records = rispy.loads(text)
    assert [r["title"] for r in records] == ["A Public Dataset For the ZKsync Rollup", "Second"]
    first = records[0]
    assert first["type_of_reference"] == "UNPB"
    assert first["authors"] == ["Silva, Maria Inês", "Messias, Johnnatan", "Livshits, Benjamin"]
    assert first["doi"] == "10.48550/arXiv.2407.18699"
    assert first["urls"] == ["https://arxiv.org/abs/2407.18699"]
    assert first["notes"] == ["arXiv:2407.18699 [cs.CR]"]
    assert first["year"] == "2024"
    assert not text.startswith("1.")  # no record numbers, which no reference manager writes


def test_ris_keeps_each_value_on_one_line():
    work = _work(title="Two\nlines", abstract="An abstract\nover\n\nparagraphs.")

    records = rispy.loads(citations.ris([work], abstracts=True))

    assert records[0]["title"] == "Two lines"
    assert records[0]["abstract"] == "An abstract over paragraphs."


def test_csl_json_is_what_zotero_reads():
    (item,) = json.loads(citations.csl_json([SILVA]))

    assert item["type"] == "article"
    assert item["title"] == SILVA.title
    assert item["author"][0] == {"family": "Silva", "given": "Maria Inês"}
    assert item["issued"] == {"date-parts": [[2024, 7, 26]]}
    assert item["DOI"] == "10.48550/arXiv.2407.18699"
    assert item["URL"] == "https://arxiv.org/abs/2407.18699"
    assert item["number"] == "arXiv:2407.18699"
    assert item["id"] == "silva2024publicdatasetzksyncrollup"


def test_a_catalog_paper_keeps_its_authors_in_order(db):
    paper = make_paper(
        arxiv_id="2502.00042",
        title="Zebra & Aardvark",
        authors=["Zed Zulu", "Amy Alpha", "Mo Middle"],
        categories=["cs.LG", "cs.CL"],
        published_at=datetime(2025, 2, 3, tzinfo=UTC),
    )

    work = citations.work_of(paper)
    text = citations.bibtex([work])

    assert "author = {Zed Zulu and Amy Alpha and Mo Middle}" in text
    assert "title = {Zebra {\\&} Aardvark}" in text
    assert "primaryClass = {cs.LG}" in text
    assert "@misc{zulu2025zebraaardvark," in text


def test_the_paper_page_has_a_cite_box_with_all_three_formats(client, db):
    make_paper(arxiv_id="2502.00077", title="Escaped <script>alert(1)</script> & co")

    response = client.get("/papers/2502.00077")

    body = response.content.decode()
    assert response.status_code == 200
    for label in ("BibTeX", "RIS", "CSL-JSON"):
        assert f"Copy {label}" in body
    assert "eprint = {2502.00077}" in body
    assert "TY  - UNPB" in body
    assert "&quot;DOI&quot;: &quot;10.48550/arXiv.2502.00077&quot;" in body
    assert "<script>alert(1)" not in body  # the title is escaped in every format
    assert 'src="/static/cite.js"' in body
    assert "/papers/2502.00077/cite.ris" in body
