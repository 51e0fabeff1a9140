"""Citing and importing in real Chromium, at phone and desktop widths: copy a paper's BibTeX
from its Cite box in one click (the clipboard holds arXiv's entry), and import a Zotero BibTeX
file with matched and unmatched entries (the result page lists both, with reasons)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from paperboy.library.models import SavedPaper
from paperboy.testing import PASSWORD, make_paper

SHOTS = Path("/tmp/shots")
WIDTHS = {"phone": 390, "desktop": 1280}

ZOTERO = r"""
@misc{lovelace_sparse_2025,
	title = {Sparse {Routing} for {Long} {Contexts}},
	url = {http://arxiv.org/abs/2509.00001},
	doi = {10.48550/arXiv.2509.00001},
	publisher = {arXiv},
	author = {Lovelace, Ada and Turing, Alan},
	year = {2025},
	note = {arXiv:2509.00001 [cs]},
}

@misc{hopper_attention_2025,
	title = {Attention {Sinks} {Revisited}},
	author = {Hopper, Grace},
	year = {2025},
}

@article{knuth_art_1968,
	title = {The {Art} of {Computer} {Programming}},
	author = {Knuth, Donald},
	year = {1968},
}

@misc{broken_2025,
	title = {Unbalanced {brace,
	year = {2025},
}
"""


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page.locator(".username")).to_have_text(username)


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_copy_a_bibtex_citation_in_one_click(live_server, page, db, width):
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    make_paper(
        arxiv_id="2509.00001",
        title="Sparse Routing & Déjà Vu",
        authors=["Ada Lovelace", "Alan Turing"],
        categories=["cs.CL"],
    )

    page.goto(f"{live_server.url}/papers/2509.00001")
    page.get_by_text("Cite", exact=True).click()
    page.get_by_role("button", name="Copy BibTeX").click()

    expect(page.get_by_role("status").filter(has_text="Copied.")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("@misc{lovelace2025sparseroutingdejavu,\n")
    assert "title = {Sparse Routing {\\&} D{\\'e}j{\\`a} Vu}" in copied
    assert "author = {Ada Lovelace and Alan Turing}" in copied
    assert "eprint = {2509.00001}" in copied and "primaryClass = {cs.CL}" in copied

    page.get_by_role("tab", name="RIS").click()
    page.get_by_role("button", name="Copy RIS").click()
    expect(page.locator("#cite-ris [data-cite-status]")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()").startswith("TY  - UNPB")
    page.screenshot(path=SHOTS / f"cite-{width}.png", full_page=False)


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_import_a_zotero_bibtex_file(live_server, page, alice, tmp_path, width, settings):
    settings.PAPERBOY_ARXIV_API_URL = ""  # the unmatched paper is reported, not fetched
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    make_paper(arxiv_id="2509.00001", title="Sparse Routing for Long Contexts")
    make_paper(arxiv_id="2509.00002", title="Attention Sinks Revisited")
    export = tmp_path / "My Library.bib"
    export.write_text(ZOTERO, encoding="utf-8")
    sign_in(page, live_server, "alice")

    page.goto(f"{live_server.url}/library")
    page.get_by_role("link", name="Import").click()
    page.get_by_label("A BibTeX, RIS or CSL-JSON file").set_input_files(export)
    page.get_by_role("button", name="Import").click()

    expect(page.get_by_role("heading", name="Import result")).to_be_visible()
    expect(page.locator("[data-import-summary]")).to_contain_text(
        "4 entries: 2 matched, 0 fetched from arXiv, 2 not matched; 2 added to your reading list"
    )
    matched = page.locator("[data-status=matched] li")
    expect(matched).to_have_count(2)
    expect(matched.nth(0)).to_contain_text("lovelace_sparse_2025 — arXiv id 2509.00001 in url")
    expect(matched.nth(1)).to_contain_text("hopper_attention_2025 — same title")
    unmatched = page.locator("[data-status=unmatched] li")
    expect(unmatched).to_have_count(2)
    expect(unmatched.nth(0)).to_contain_text("knuth_art_1968")
    expect(unmatched.nth(0)).to_contain_text("no paper in the catalog has this title")
    expect(unmatched.nth(1)).to_contain_text("not valid BibTeX")
    page.screenshot(path=SHOTS / f"import-{width}.png", full_page=True)
    saved = SavedPaper.objects.filter(member=alice).values_list("paper__arxiv_id", flat=True)
    assert sorted(saved) == ["2509.00001", "2509.00002"]

    page.get_by_role("link", name="Open your reading list").click()
    expect(page.locator(".lib-row")).to_have_count(2)
