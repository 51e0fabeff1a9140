"""Reads without a token are answered from the visitors' page cache (``lib.pagecache``), like
the list and paper pages; token holders, errors and search always get a live answer."""

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from paperboy.api.tests.conftest import bearer
from paperboy.feed import votes
from paperboy.moderation import actions
from paperboy.testing import make_paper, make_user

DAILY = "/api/daily_papers?date=2025-01-15"
PAPER = "/api/papers/2501.00101"


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 30


def _get(url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = Client().get(url, **extra)
    return response, len(ctx.captured_queries)


@pytest.mark.parametrize("url", [DAILY, PAPER, "/api/daily_papers?sort=trending&limit=50"])
def test_a_second_reader_without_a_token_gets_the_same_json_without_queries(listed, url):
    first, first_queries = _get(url)
    second, second_queries = _get(url)

    assert first.status_code == second.status_code == 200
    assert first_queries > 0 and second_queries == 0
    assert second.json() == first.json()
    assert second["Content-Type"] == first["Content-Type"] == "application/json; charset=utf-8"
    assert not second.cookies  # no CSRF token in JSON, so no cookie either


def test_a_token_holder_reads_live_counts_and_anonymous_readers_catch_up(
    listed, alice, alice_token
):
    with time_machine.travel("2025-01-15 12:00Z", tick=False):
        before, _ = _get(PAPER)
        votes.upvote(user_id=alice.pk, paper_id=listed[0].paper_id)
        cached, _ = _get(PAPER)
        live, live_queries = _get(PAPER, **bearer(alice_token))
    with time_machine.travel("2025-01-15 12:01Z", tick=False):
        later, _ = _get(PAPER)

    assert before.json()["upvotes"] == cached.json()["upvotes"] == 3
    assert live.json()["upvotes"] == 4 and live_queries > 0
    assert later.json()["upvotes"] == 4


def test_a_hidden_paper_is_gone_from_the_api_at_once(listed, django_capture_on_commit_callbacks):
    assert _get(PAPER)[0].status_code == 200  # now cached
    moderator = make_user("mod", is_staff=True)

    with django_capture_on_commit_callbacks(execute=True):
        actions.set_hidden(actor=moderator, papers=[listed[0].paper], hidden=True, reason="spam")

    assert _get(PAPER)[0].status_code == 404


def test_errors_are_not_kept(db):
    assert _get("/api/papers/2501.00999")[0].status_code == 404
    make_paper(arxiv_id="2501.00999")

    assert _get("/api/papers/2501.00999")[0].status_code == 200
    assert _get("/api/daily_papers?date=2025-02-30")[0].status_code == 404


def test_search_is_never_answered_from_the_cache(listed):
    _get("/api/papers/search")

    response, queries = _get("/api/papers/search")

    assert response.status_code == 200 and queries > 0
