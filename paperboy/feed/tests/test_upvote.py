"""Upvoting: POST /papers/<id>/upvote and /papers/<id>/unvote, with htmx or a plain form."""

import re

import pytest
from django.test import Client

from paperboy.feed.models import DailyEntry, Upvote
from paperboy.testing import PASSWORD, make_entry, make_paper

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/papers"}


@pytest.fixture
def paper(db):
    paper = make_paper(arxiv_id="2510.00001", imported_upvotes=4)
    make_entry(paper)
    return paper


@pytest.fixture
def alice_client(client, alice):
    client.login(username="alice", password=PASSWORD)
    return client


def test_it_upvotes_and_returns_the_button(alice_client, alice, paper):
    response = alice_client.post("/papers/2510.00001/upvote", **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<form")
    assert 'aria-pressed="true"' in html
    assert '<span class="count">5</span>' in html
    assert 'hx-post="/papers/2510.00001/unvote"' in html
    assert Upvote.objects.filter(user=alice, paper=paper).count() == 1
    paper.refresh_from_db()
    assert paper.upvotes_count == 5
    assert DailyEntry.objects.get(paper=paper).upvotes_count == 5


def test_it_rejects_double_upvote(alice_client, alice, paper):
    alice_client.post("/papers/2510.00001/upvote", **HTMX)
    response = alice_client.post("/papers/2510.00001/upvote", **HTMX)

    assert response.status_code == 200
    assert Upvote.objects.filter(user=alice, paper=paper).count() == 1
    paper.refresh_from_db()
    assert paper.upvotes_count == 5


def test_it_removes_an_upvote(alice_client, alice, paper):
    alice_client.post("/papers/2510.00001/upvote", **HTMX)
    response = alice_client.post("/papers/2510.00001/unvote", **HTMX)

    assert 'aria-pressed="false"' in response.content.decode()
    assert not Upvote.objects.filter(user=alice, paper=paper).exists()
    paper.refresh_from_db()
    assert paper.upvotes_count == 4


def test_without_htmx_it_redirects_back(alice_client, paper):
    response = alice_client.post("/papers/2510.00001/upvote", {"next": "/papers?p=1"})

    assert response.status_code == 302
    assert response["Location"] == "/papers?p=1"
    assert Upvote.objects.count() == 1


def test_it_never_redirects_to_another_site(alice_client, paper):
    response = alice_client.post("/papers/2510.00001/upvote", {"next": "https://evil.example/"})

    assert response["Location"] == "/papers/2510.00001"


def test_an_anonymous_htmx_click_asks_to_sign_in(client, paper):
    response = client.post("/papers/2510.00001/upvote", **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "to upvote" in html
    assert 'href="/accounts/login/?next=%2Fpapers"' in html
    assert '<span class="count">4</span>' in html
    assert not Upvote.objects.exists()


def test_an_anonymous_form_post_goes_to_sign_in(client, paper):
    response = client.post("/papers/2510.00001/upvote", {"next": "/papers"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/papers"
    assert not Upvote.objects.exists()


def test_old_style_ids_with_a_slash_can_be_upvoted(alice_client, alice):
    paper = make_paper(arxiv_id="hep-th/9901001")
    response = alice_client.post("/papers/hep-th/9901001/upvote", **HTMX)

    assert response.status_code == 200
    assert 'hx-post="/papers/hep-th/9901001/unvote"' in response.content.decode()
    assert Upvote.objects.filter(user=alice, paper=paper).exists()


def test_an_unknown_paper_is_404(alice_client, db):
    response = alice_client.post("/papers/2510.99999/upvote", **HTMX)

    assert response.status_code == 404
    assert not Upvote.objects.exists()


def test_a_hidden_paper_cannot_be_upvoted(alice_client, db):
    make_paper(arxiv_id="2510.00002", hidden=True)
    assert alice_client.post("/papers/2510.00002/upvote").status_code == 404
    assert not Upvote.objects.exists()


def test_get_is_not_allowed(alice_client, paper):
    assert alice_client.get("/papers/2510.00001/upvote").status_code == 405
    assert alice_client.get("/papers/2510.00001/unvote").status_code == 405
    assert not Upvote.objects.exists()


def test_a_post_without_csrf_token_is_refused(alice, paper):
    client = Client(enforce_csrf_checks=True)
    client.login(username="alice", password=PASSWORD)

    response = client.post("/papers/2510.00001/upvote", **HTMX)

    assert response.status_code == 403
    assert "That form could not be checked" in response.content.decode()
    assert not Upvote.objects.exists()


def test_htmx_sends_the_csrf_token_from_the_body(alice, paper):
    client = Client(enforce_csrf_checks=True)
    client.login(username="alice", password=PASSWORD)
    page = client.get("/papers").content.decode()
    token = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page).group(1)

    response = client.post("/papers/2510.00001/upvote", HTTP_X_CSRFTOKEN=token, **HTMX)

    assert response.status_code == 200
    assert Upvote.objects.filter(user=alice).count() == 1
