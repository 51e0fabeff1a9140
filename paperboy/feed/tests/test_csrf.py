"""Every form of the daily site refuses a POST without its CSRF token and writes nothing.

The test client skips CSRF checks unless asked; here every client enforces them, as a browser
would meet them.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.test import Client

from paperboy.accounts.models import User
from paperboy.comments.models import Comment
from paperboy.digests.models import Subscription
from paperboy.feed.models import DailyEntry, Upvote
from paperboy.feed.votes import upvote
from paperboy.papers.models import Paper
from paperboy.testing import PASSWORD, make_entry, make_paper


@pytest.fixture(autouse=True)
def frozen_now():
    # make_paper's papers appeared on arXiv on 2025-01-14: fresh enough to submit on the 20th.
    with time_machine.travel(datetime(2025, 1, 20, 10, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def paper(db):
    paper = make_paper(arxiv_id="2510.00001")
    make_entry(paper)
    make_paper(arxiv_id="2510.00002")  # in the catalog, not yet on the list: for "submit"
    return paper


def _snapshot() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Upvote, DailyEntry, Paper, User, EmailAddress, Subscription, Comment)
    }


def _client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user:
        client.login(username=user.username, password=PASSWORD)
    return client


FORMS = [
    ("upvote", "/papers/2510.00001/upvote", {}),
    ("unvote", "/papers/2510.00001/unvote", {}),
    ("submit", "/papers/submit", {"arxiv_id": "2510.00002"}),
    ("comment", "/papers/2510.00001/comments", {"body": "A fine paper."}),
    ("subscribe", "/digests/subscribe", {"email": "reader@example.org", "frequency": "daily"}),
]


@pytest.mark.parametrize(("name", "url", "data"), FORMS, ids=[f[0] for f in FORMS])
def test_a_members_post_without_csrf_token_is_refused_and_writes_nothing(
    alice, paper, name, url, data
):
    if name == "unvote":
        upvote(user_id=alice.pk, paper_id=paper.pk)
    before = _snapshot()

    response = _client(alice).post(url, data)

    assert response.status_code == 403
    assert "That form could not be checked" in response.content.decode()
    assert _snapshot() == before


@pytest.mark.parametrize(("name", "url", "data"), FORMS, ids=[f[0] for f in FORMS])
def test_the_same_post_with_the_pages_token_writes(alice, paper, name, url, data):
    if name == "unvote":
        upvote(user_id=alice.pk, paper_id=paper.pk)
    before = _snapshot()
    client = _client(alice)
    page = client.get("/papers/2510.00001").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]

    response = client.post(url, {**data, "csrfmiddlewaretoken": token})

    assert response.status_code < 400
    assert _snapshot() != before


def test_a_sign_up_without_csrf_token_is_refused_and_creates_no_account(db):
    before = _snapshot()

    response = _client().post(
        "/accounts/signup/",
        {
            "email": "new@example.org",
            "username": "newcomer",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 403
    assert _snapshot() == before
