"""Searching in real Chromium: results as you type (htmx), highlights, filters as links,
sorting and pages, on phone and desktop widths."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from paperboy.testing import make_paper


@pytest.fixture
def searchable(db):
    from paperboy.search import indexing

    papers = [
        make_paper(
            title=f"Protein Folding with Diffusion, part {n}",
            abstract="A generative model folds amino-acid sequences into protein structures.",
            categories=["q-bio.BM"] if n % 2 else ["cs.LG"],
            published_at=datetime(2025, 1, n, tzinfo=UTC),
        )
        for n in range(1, 26)
    ]
    papers.append(
        make_paper(
            title="Teaching Robots to Grasp from Human Videos",
            abstract="Robot arms learn grasping by watching people pick up everyday objects.",
            categories=["cs.RO"],
        )
    )
    indexing.build()
    return papers


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_a_reader_searches_as_they_type_and_narrows_the_results(
    live_server, page, searchable, width
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/papers/search")
    expect(page.get_by_role("heading", name="Search any paper")).to_be_visible()

    # Typing is enough: htmx fetches the results and puts the query in the address bar.
    page.locator(".search-big input[name=q]").press_sequentially("robots grasping", delay=20)
    first = page.locator("article.card").first
    expect(first).to_contain_text("Teaching Robots to Grasp from Human Videos")
    expect(page).to_have_url(re.compile(r"/papers/search\?q=robots(\+|%20)grasping"))
    expect(first.locator("mark").first).to_be_visible()

    # Filters and sorting are plain links that keep the query.
    page.goto(f"{live_server.url}/papers/search?q=protein+folding")
    expect(page.locator(".search-summary")).to_contain_text("by words and meaning")
    expect(page.get_by_role("link", name="Next ›")).to_be_visible()
    page.get_by_role("link", name="q-bio.BM").click()
    expect(page).to_have_url(re.compile(r"category=q-bio.BM"))
    expect(page.locator("article.card")).to_have_count(13)
    page.get_by_role("link", name="Newest").click()
    expect(page.locator("article.card .card-title").first).to_contain_text("part 25")
    expect(page).to_have_url(re.compile(r"q=protein\+folding.*category=q-bio.BM.*sort=date"))
