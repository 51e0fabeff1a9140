"""Summaries and keywords where people skim: cards, the paper page, .md, feeds, the API."""

import pytest
from django.urls import reverse

from paperboy.papers.models import Paper
from paperboy.testing import make_entry, make_paper

HOSTILE = 'Sparse routing <script>alert("x")</script> & <b>bold</b> claims.'


@pytest.fixture
def paper(db):
    paper = make_paper(title="Sparse Attention for Long-Context Transformers")
    Paper.objects.filter(pk=paper.pk).update(
        ai_summary=HOSTILE,
        ai_summary_model="paperboy-local-1",
        ai_keywords=["sparse attention", "top-k <router>"],
    )
    make_entry(paper)
    paper.refresh_from_db()
    return paper


def test_every_card_shows_the_summary_escaped_under_the_title(client, paper):
    day = make_entry_day(paper)
    html = client.get(reverse("feed:date", args=[day])).content.decode()
    assert (
        '<p class="card-tldr">Sparse routing &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
        in html
    )
    assert "<script>alert" not in html
    assert html.index("card-tldr") > html.index("card-title")
    assert html.index("card-tldr") < html.index(
        'class="abstract math"'
    )  # the abstract still expands


def test_a_card_without_a_summary_has_no_empty_line(client, db):
    paper = make_paper(title="A Paper Without Summary")
    make_entry(paper)
    html = client.get(reverse("feed:date", args=[make_entry_day(paper)])).content.decode()
    assert "card-tldr" not in html


def test_the_paper_page_shows_keyword_chips_that_open_a_search(client, paper):
    html = client.get(paper.get_absolute_url()).content.decode()
    assert (
        '<a class="tag keyword" href="/papers/search?q=sparse%20attention">sparse attention</a>'
        in html
    )
    assert "top-k &lt;router&gt;</a>" in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html


def test_the_markdown_page_has_the_summary_and_keywords(client, paper):
    text = client.get(reverse("papers:markdown", args=[paper.arxiv_id])).content.decode()
    assert "## Summary" in text and "Sparse routing" in text
    assert "*Keywords:* sparse attention, top-k" in text


def test_the_daily_feed_starts_each_item_with_the_tldr(client, paper):
    xml = client.get(reverse("feeds:date-rss", args=[make_entry_day(paper)])).content.decode()
    assert (
        "TL;DR: Sparse routing &amp;lt;script" in xml or "TL;DR: Sparse routing &lt;script" in xml
    )


def test_the_api_has_hugging_faces_fields(client, paper):
    data = client.get(f"/api/papers/{paper.arxiv_id}").json()
    assert data["ai_summary"] == HOSTILE
    assert data["ai_keywords"] == ["sparse attention", "top-k <router>"]


def make_entry_day(paper) -> str:
    return paper.daily.day.isoformat()
