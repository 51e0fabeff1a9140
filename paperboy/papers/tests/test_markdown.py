"""/papers/<id>.md and Accept: text/markdown: the paper page as Markdown for agents."""

import pytest

from paperboy.testing import make_entry, make_paper

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


def test_markup_typed_in_text_is_shown_by_a_markdown_renderer_not_run(client, db):
    from html.parser import HTMLParser

    from markdown_it import MarkdownIt

    from paperboy.accounts.models import Organization

    org = Organization.objects.create(slug="evil", name="Evil <img src=x onerror=alert(1)>")
    paper = make_paper(
        arxiv_id="2501.00301",
        title="Tags <script>alert(2)</script> in a title",
        abstract="We show $a<b$ and <img src=x onerror=alert(3)>.\n\n"
        "<section\nonclick=alert(4)>two lines</section> and <javascript:alert(5)>",
        authors=["Eve <iframe src=//evil.example>"],
        comment="<!-- hidden --> 12 pages",
        organization=org,
    )
    make_entry(paper)
    text = client.get("/papers/2501.00301.md").content.decode()
    assert "We show $a<b$ and" in text  # math stays as typed

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.elements, self.shown = set(), []

        def handle_starttag(self, tag, attrs):
            self.elements.add(tag)

        def handle_comment(self, data):
            self.elements.add("!--")

        def handle_data(self, data):
            self.shown.append(data)

    # CommonMark with raw HTML on, as most Markdown viewers render it.
    reader = Reader()
    reader.feed(MarkdownIt("commonmark").render(text))
    assert reader.elements <= {"h1", "h2", "p", "strong", "em", "ul", "li", "a"}
    shown = "".join(reader.shown)
    for typed in [
        "Tags <script>alert(2)</script> in a title",
        "Eve <iframe src=//evil.example>",
        "Evil <img src=x onerror=alert(1)>",
        "We show $a<b$ and <img src=x onerror=alert(3)>.",
        "<section onclick=alert(4)>two lines</section> and <javascript:alert(5)>",
        "<!-- hidden --> 12 pages",
    ]:
        assert typed in shown
