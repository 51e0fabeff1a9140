"""/papers/<id>.md and Accept: text/markdown: the paper page as Markdown for agents."""

import pytest

from paperboy.test import make_entry, make_paper

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper(db, example_lab):
    paper = make_paper(
        arxiv_id="2501.00101",
        title="Sparse Attention",
        imported_upvotes=7,
        github_repo="https://github.com/example/sparse",
        github_stars=42,
        organization=example_lab,
    )
    make_entry(paper)
    return paper


def test_the_md_page_has_title_authors_dates_links_abstract_upvotes_org(client, paper):
    response = client.get("/papers/2501.00101.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("# Sparse Attention\n")
    assert "**Authors:** Ada Lovelace, Alan Turing, Grace Hopper" in text
    assert "- arXiv: [2501.00101](https://arxiv.org/abs/2501.00101)" in text
    assert "- Published on arXiv: 2025-01-14" in text
    assert "- On the daily list: 2025-01-15" in text
    assert "- Upvotes: 7" in text
    assert "- Organization: Example Lab" in text
    assert "- Code: https://github.com/example/sparse (42 stars)" in text
    assert "## Abstract\n\nWe study sparse attention" in text


def test_accept_text_markdown_on_the_paper_page(client, paper):
    response = client.get("/papers/2501.00101", HTTP_ACCEPT="text/markdown")
    assert response["Content-Type"].startswith("text/markdown")
    assert "Accept" in response["Vary"]
    html = client.get("/papers/2501.00101", HTTP_ACCEPT="text/html,*/*")
    assert html["Content-Type"].startswith("text/html")
    assert "Accept" in html["Vary"]


def test_old_style_ids_and_versions(client, db):
    make_paper(arxiv_id="hep-th/9901001", title="Old", categories=["hep-th"])
    assert client.get("/papers/hep-th/9901001.md").content.startswith(b"# Old")
    redirect = client.get("/papers/hep-th/9901001v2.md")
    assert redirect.status_code == 301
    assert redirect["Location"] == "/papers/hep-th/9901001.md"


@pytest.mark.parametrize("url", ["/papers/2501.99999.md", "/papers/nonsense.md"])
def test_unknown_papers_are_a_404(client, db, url):
    assert client.get(url).status_code == 404


def test_hidden_papers_are_a_404(client, paper):
    paper.hidden = True
    paper.save()
    assert client.get("/papers/2501.00101.md").status_code == 404


def test_the_visitors_page_cache_keeps_html_and_markdown_apart(client, paper, settings):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 30
    for _ in range(2):  # the second HTML answer comes from the cache
        html = client.get("/papers/2501.00101")
        assert html["Content-Type"].startswith("text/html")
        assert "Accept" in html["Vary"]
        markdown = client.get("/papers/2501.00101", HTTP_ACCEPT="text/markdown")
        assert markdown["Content-Type"].startswith("text/markdown")
        assert "Accept" in markdown["Vary"]
