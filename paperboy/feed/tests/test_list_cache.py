"""Visitors who are not signed in share a cached list body; members always see live data."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperboy.feed import votes
from paperboy.test import PASSWORD, make_entry, make_paper

DAY = date(2025, 10, 8)


@pytest.fixture(autouse=True)
def list_cache(settings):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 30


@pytest.fixture
def paper(db):
    paper = make_paper(title="A cached paper", imported_upvotes=4)
    make_entry(paper, DAY)
    return paper


def _cards(html: str) -> str:
    """The list body: what the cache holds (the header carries a per-visitor CSRF token)."""
    return html[html.index('class="cards"') : html.index("</main>")]


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", ["/papers/date/2025-10-08", "/papers/week/2025-W41", "/papers/trending"]
)
def test_a_second_visitor_gets_the_cached_cards(client, paper, url):
    first, first_queries = _get(client, url)
    second, second_queries = _get(client, url)

    assert "A cached paper" in first
    assert _cards(second) == _cards(first)
    assert second_queries < first_queries


def test_the_cached_cards_carry_no_csrf_token(client, paper):
    html, _ = _get(client, "/papers/date/2025-10-08")
    cards = _cards(html)
    assert "csrfmiddlewaretoken" not in cards
    assert 'href="/accounts/login/?next=/papers/date/2025-10-08"' in cards


def test_visitors_see_new_votes_once_the_cache_expires(client, alice, paper):
    url = "/papers/date/2025-10-08"
    with time_machine.travel("2025-10-08 12:00Z", tick=False):
        before, _ = _get(client, url)
        votes.upvote(user_id=alice.pk, paper_id=paper.pk)
        still, _ = _get(client, url)
    with time_machine.travel("2025-10-08 12:01Z", tick=False):
        after, _ = _get(client, url)

    assert '<span class="count">4</span>' in before and _cards(still) == _cards(before)
    assert '<span class="count">5</span>' in after


def test_members_always_see_live_counts(client, alice, bob, paper):
    client.login(username="alice", password=PASSWORD)
    url = "/papers/date/2025-10-08"
    _get(client, url)
    votes.upvote(user_id=bob.pk, paper_id=paper.pk)

    html, _ = _get(client, url)

    assert '<span class="count">5</span>' in html
