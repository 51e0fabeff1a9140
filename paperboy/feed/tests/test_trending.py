"""Trending: /papers/trending, ordered by the stored score with a "why is this here" line."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperboy.testing import make_entry, make_paper


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(datetime(2025, 10, 8, 21, 0, tzinfo=UTC), tick=False):
        yield


def test_it_ranks_fresh_votes_above_old_ones(client, db):
    make_entry(make_paper(title="Old and popular", imported_upvotes=30), date(2025, 9, 20))
    make_entry(make_paper(title="Fresh and liked", imported_upvotes=10), date(2025, 10, 8))

    response = client.get("/papers/trending")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Fresh and liked") < html.index("Old and popular")


def test_each_card_says_why_it_is_here(client, db):
    make_entry(make_paper(imported_upvotes=10, comments_count=2), date(2025, 10, 8))

    html = client.get("/papers/trending").content.decode()

    assert "Why it's here:" in html
    assert "10 upvotes, 2 comments; on the list for 12 h" in html
    assert "points halve every 36 h" in html


def test_the_why_line_counts_github_stars_gained_this_week(client, db):
    from paperboy.papers.models import StarSnapshot

    paper = make_paper(imported_upvotes=3, github_repo="https://github.com/example/fast")
    StarSnapshot.objects.create(
        paper=paper, stars=100, recorded_at=datetime(2025, 9, 1, tzinfo=UTC)
    )
    StarSnapshot.objects.create(
        paper=paper, stars=140, recorded_at=datetime(2025, 10, 8, tzinfo=UTC)
    )
    make_entry(paper, date(2025, 10, 8))

    html = client.get("/papers/trending").content.decode()

    assert "3 upvotes, +40 GitHub stars this week" in html


def test_trending_is_empty_before_any_paper_is_listed(client, db):
    response = client.get("/papers/trending")
    assert response.status_code == 200
    assert "Nothing is trending yet" in response.content.decode()


def test_trending_uses_a_constant_number_of_queries(client, db):
    make_entry(make_paper(), date(2025, 10, 8))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get("/papers/trending")
        return len(ctx.captured_queries)

    few = count()
    for _ in range(10):
        make_entry(make_paper(), date(2025, 10, 7))
    assert count() == few == 3  # count, page, stars gained by the page's papers
