"""Visitors share cached pages, each with their own working CSRF token; members and htmx
requests always get a fresh rendering."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from paperboy.digests.models import Subscription
from paperboy.feed import votes
from paperboy.lib.pagecache import PLACEHOLDER, page_key
from paperboy.testing import PASSWORD, make_entry, make_paper

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


def test_a_visitor_with_a_csrf_cookie_gets_a_cached_page_token_for_that_cookie(paper):
    from django.middleware.csrf import _unmask_cipher_token

    _get(Client(), PAGES[0])
    visitor = Client(enforce_csrf_checks=True)
    secret = "s3cret" * 5 + "ab"  # 32 characters of the CSRF alphabet, from an earlier visit
    visitor.cookies["csrftoken"] = secret

    response, queries = _get(visitor, PAGES[0])

    assert queries == 0
    assert _unmask_cipher_token(_token(response.content.decode())) == secret
    assert response.cookies["csrftoken"].value == secret  # renewed, not replaced


def test_a_cached_page_answers_with_the_rendered_pages_headers_and_only_a_csrf_cookie(paper):
    rendered, _ = _get(Client(), "/papers/2510.00001")
    cached, queries = _get(Client(), "/papers/2510.00001")

    assert queries == 0
    for name in ("Content-Type", "Vary", "X-Frame-Options", "X-Content-Type-Options"):
        assert cached[name] == rendered[name], name
    assert "Accept" in cached["Vary"] and "Cookie" in cached["Vary"]
    assert int(cached["Content-Length"]) == len(cached.content)
    assert set(cached.cookies) == {"csrftoken"}
    assert cached.cookies["csrftoken"].value != rendered.cookies["csrftoken"].value


def test_every_csrf_token_on_a_page_is_replaced_for_each_visitor(rf):
    from django.middleware.csrf import CsrfViewMiddleware, _unmask_cipher_token, get_token

    from paperboy.lib.pagecache import _template, csrf_token

    request = rf.get("/papers/trending")
    CsrfViewMiddleware(lambda r: None).process_request(request)
    html = f'<input value="{get_token(request)}"><div hx-headers="{get_token(request)}">'
    response = HttpResponse(html)
    response.paperboy_visitor_page = True

    page = _template(request, response, 30)

    assert len(page.parts) == 3  # two tokens, each masked differently, both cut out
    other = rf.get("/papers/trending")
    body = page.response(other).content.decode()
    tokens = [body.split('value="')[1][:64], body.split('hx-headers="')[1][:64]]
    assert [_unmask_cipher_token(t) for t in tokens] == [other.META["CSRF_COOKIE"]] * 2
    assert other.META["CSRF_COOKIE"] != request.META["CSRF_COOKIE"]
    assert len({csrf_token(other) for _ in range(3)}) == 3  # a fresh mask every time


def test_a_page_rendered_for_a_member_is_never_shared_with_visitors(client, alice, paper):
    client.login(username="alice", password=PASSWORD)
    member_page, _ = _get(client, PAGES[0])
    assert "alice" in member_page.content.decode()

    visitor_page, queries = _get(Client(), PAGES[0])

    # The member's visit made the copy, rendered as a visitor's (test_member_pages.py).
    assert queries == 0 and "alice" not in visitor_page.content.decode()


def test_a_page_forgotten_by_another_process_is_not_served_from_this_ones_memory(paper):
    from django.core.cache import cache

    from paperboy.lib.pagecache import GENERATION_KEY

    url = "/papers/2510.00001"
    _get(Client(), url)
    cache.delete(page_key(url))  # the shared copy is gone, this process still holds one
    _, from_memory = _get(Client(), url)
    # Another worker hides the paper: it drops the shared copy and stamps a new generation.
    paper.hidden = True
    paper.save(update_fields=["hidden"])
    cache.delete(page_key(url))
    cache.set(GENERATION_KEY, "another-process", timeout=None)

    response = Client().get(url)

    assert from_memory == 0
    assert response.status_code == 404


def test_clearing_the_cache_drops_every_processes_memory_copies(paper):
    from django.core.cache import cache

    _get(Client(), PAGES[0])
    cache.clear()

    _, queries = _get(Client(), PAGES[0])

    assert queries > 0


def test_a_copy_in_the_old_format_is_ignored(paper):
    from django.core.cache import cache

    cache.set(page_key(PAGES[0]), ("<html>old</html>", "text/html", 0), 60)

    response, queries = _get(Client(), PAGES[0])

    assert queries > 0 and "A cached paper" in response.content.decode()


def test_a_cached_page_still_refuses_a_host_that_is_not_allowed(paper):
    _get(Client(), PAGES[0])

    response = Client().get(PAGES[0], HTTP_HOST="evil.example")

    assert response.status_code == 400


def test_with_the_cache_off_every_visitor_gets_a_fresh_rendering(settings, paper):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 0
    _get(Client(), PAGES[0])

    _, queries = _get(Client(), PAGES[0])

    assert queries > 0


def test_a_paper_page_that_was_a_404_is_cached_once_the_paper_exists(db):
    assert Client().get("/papers/2510.00009").status_code == 404
    make_entry(make_paper(arxiv_id="2510.00009", title="Late arrival"), DAY)

    _get(Client(), "/papers/2510.00009")
    response, queries = _get(Client(), "/papers/2510.00009")

    assert queries == 0 and "Late arrival" in response.content.decode()


def test_paths_of_views_that_are_not_cached_stop_being_looked_up(db, monkeypatch):
    from paperboy.lib import pagecache

    Client().get("/health")
    looked_up = []
    monkeypatch.setattr(pagecache, "_generation", lambda: looked_up.append(1) or "")

    assert Client().get("/health").status_code == 200
    assert looked_up == []
