"""Visitors share cached pages, each with their own working CSRF token; members and htmx
requests always get a fresh rendering."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from paperboy.digests.models import Subscription
from paperboy.feed import votes
from paperboy.lib.pagecache import PLACEHOLDER, page_key
from paperboy.test import PASSWORD, make_entry, make_paper

DAY = date(2025, 10, 8)
PAGES = ["/papers/date/2025-10-08", "/papers/week/2025-W41", "/papers/trending"]


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 30


@pytest.fixture
def paper(db):
    paper = make_paper(arxiv_id="2510.00001", title="A cached paper", imported_upvotes=4)
    make_entry(paper, DAY)
    return paper


def _get(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def _token(html: str) -> str:
    return html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("url", [*PAGES, "/papers/2510.00001"])
def test_a_second_visitor_gets_the_cached_page_without_queries(paper, url):
    first, first_queries = _get(Client(), url)
    second, second_queries = _get(Client(), url)

    assert "A cached paper" in second.content.decode()
    assert first_queries > 0 and second_queries == 0
    assert PLACEHOLDER not in second.content.decode()


def test_each_visitor_gets_a_token_that_works_for_them(paper):
    _get(Client(), PAGES[0])
    visitor = Client(enforce_csrf_checks=True)
    response, _ = _get(visitor, PAGES[0])
    token = _token(response.content.decode())

    subscribed = visitor.post(
        "/digests/subscribe",
        {"email": "reader@example.org", "frequency": "daily", "csrfmiddlewaretoken": token},
    )

    assert subscribed.status_code in (200, 302)
    assert Subscription.objects.filter(email="reader@example.org").exists()


def test_visitors_see_new_votes_once_the_cache_expires(alice, paper):
    url = PAGES[0]
    with time_machine.travel("2025-10-08 12:00Z", tick=False):
        before, _ = _get(Client(), url)
        votes.upvote(user_id=alice.pk, paper_id=paper.pk)
        still, _ = _get(Client(), url)
    with time_machine.travel("2025-10-08 12:01Z", tick=False):
        after, _ = _get(Client(), url)

    assert '<span class="count">4</span>' in before.content.decode()
    assert '<span class="count">4</span>' in still.content.decode()
    assert '<span class="count">5</span>' in after.content.decode()


def test_members_always_see_live_counts(client, alice, bob, paper):
    client.login(username="alice", password=PASSWORD)
    _get(client, PAGES[0])
    votes.upvote(user_id=bob.pk, paper_id=paper.pk)

    response, queries = _get(client, PAGES[0])

    assert '<span class="count">5</span>' in response.content.decode() and queries > 0


def test_markdown_and_htmx_requests_are_never_served_from_the_html_cache(paper):
    _get(Client(), "/papers/2510.00001")

    markdown, _ = _get(Client(), "/papers/2510.00001", accept="text/markdown")
    htmx, queries = _get(Client(), PAGES[0], hx_request="true")

    assert markdown["Content-Type"].startswith("text/markdown")
    assert queries > 0


def test_a_stale_page_is_served_while_another_request_renders_it(alice, paper):
    from django.core.cache import cache

    url = PAGES[0]
    with time_machine.travel("2025-10-08 12:00Z", tick=False):
        _get(Client(), url)
        votes.upvote(user_id=alice.pk, paper_id=paper.pk)
    with time_machine.travel("2025-10-08 12:00:45Z", tick=False):
        # Stale: a render is under way elsewhere, so this visitor gets the old copy at once.
        cache.add(page_key(url) + ":render", 1)
        stale, stale_queries = _get(Client(), url)
        cache.clear()
        fresh, _ = _get(Client(), url)

    assert '<span class="count">4</span>' in stale.content.decode() and stale_queries == 0
    assert '<span class="count">5</span>' in fresh.content.decode()
