"""Writes with a personal token: submit (POST /api/daily_papers), upvote and un-upvote
(POST/DELETE /api/papers/<id>/upvote); every refusal is a JSON 4xx and writes nothing."""

from datetime import UTC, datetime

import pytest
import time_machine

from paperboy.accounts.tokens import ApiToken
from paperboy.api.tests.conftest import bearer
from paperboy.feed.models import DailyEntry, Upvote
from paperboy.ingest import fetch
from paperboy.testing import make_paper

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(datetime(2025, 1, 20, 10, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(arxiv_id, client=None):
        raise fetch.FetchError("no network in tests")

    monkeypatch.setattr(fetch, "fetch_record", refuse)


@pytest.fixture
def fresh(db):
    return make_paper(arxiv_id="2501.00500", published_at=datetime(2025, 1, 18, tzinfo=UTC))


def post_json(client, url, data, token=None, **extra):
    headers = bearer(token) if token else {}
    return client.post(url, data, content_type="application/json", **headers, **extra)


def test_a_member_submits_a_paper_with_a_token(client, alice, alice_token, fresh):
    response = post_json(client, "/api/daily_papers", {"arxiv_id": "2501.00500"}, alice_token)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["paper"]["id"] == "2501.00500"
    assert data["submittedBy"]["user"] == "alice"
    entry = DailyEntry.objects.get(paper=fresh)
    assert entry.submitted_by == alice
    assert entry.day.isoformat() == "2025-01-20"


def test_a_paper_already_on_the_list_is_refused(client, alice_token, listed):
    response = post_json(client, "/api/daily_papers", {"arxiv_id": "2501.00101"}, alice_token)
    assert response.status_code == 409
    assert "already on the daily list" in response.json()["error"]
    assert "<a" not in response.json()["error"]


def test_an_unverified_member_may_not_submit(client, charlie, fresh):
    token = ApiToken.issue(user=charlie, name="x")[1]
    response = post_json(client, "/api/daily_papers", {"arxiv_id": "2501.00500"}, token)
    assert response.status_code == 403
    assert "Verify your email" in response.json()["error"]
    assert not DailyEntry.objects.exists()


def test_the_daily_cap_applies_to_the_api_too(client, alice, alice_token, settings):
    settings.PAPERBOY_SUBMIT_DAILY_CAP = 1
    make_paper(arxiv_id="2501.00501", published_at=datetime(2025, 1, 18, tzinfo=UTC))
    make_paper(arxiv_id="2501.00502", published_at=datetime(2025, 1, 18, tzinfo=UTC))
    ok = post_json(client, "/api/daily_papers", {"arxiv_id": "2501.00501"}, alice_token)
    assert ok.status_code == 201
    capped = post_json(client, "/api/daily_papers", {"arxiv_id": "2501.00502"}, alice_token)
    assert capped.status_code == 429
    assert "daily limit" in capped.json()["error"]
    assert DailyEntry.objects.count() == 1


def test_the_web_form_s_submission_rate_limit_applies_to_the_api_too(client, alice_token, settings):
    settings.PAPERBOY_RATE_LIMITS = {"submit": {"user": "2/h", "ip": "100/h"}}
    for n in range(3):
        make_paper(arxiv_id=f"2501.0051{n}", published_at=datetime(2025, 1, 18, tzinfo=UTC))
    codes = [
        post_json(client, "/api/daily_papers", {"arxiv_id": f"2501.0051{n}"}, alice_token)
        for n in range(3)
    ]
    assert [r.status_code for r in codes] == [201, 201, 429]
    assert codes[2].json()["error"].startswith("Slow down")
    assert DailyEntry.objects.count() == 2


def test_arxiv_being_unreachable_is_a_clear_error(client, alice_token):
    response = post_json(client, "/api/daily_papers", {"arxiv_id": "2501.09999"}, alice_token)
    assert response.status_code == 503  # arXiv's fault, not the request's
    assert "could not reach arXiv" in response.json()["error"]
    assert not DailyEntry.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"arxiv_id": 2501.00500},
        {"arxiv_id": ["2501.00500"]},
        {"arxiv_id": None},
        {"arxiv_id": ""},
        {"arxiv_id": "x" * 300},
        {"arxiv_id": True},
        ["2501.00500"],
        "2501.00500",
    ],
)
def test_malformed_bodies_are_a_400(client, alice_token, fresh, body):
    response = post_json(client, "/api/daily_papers", body, alice_token)
    assert response.status_code == 400, response.content
    assert response.json()["error"]
    assert not DailyEntry.objects.exists()


def test_text_that_is_not_an_arxiv_id_is_no_paper_a_404(client, alice_token, fresh):
    response = post_json(client, "/api/daily_papers", {"arxiv_id": "not an id"}, alice_token)
    assert response.status_code == 404
    assert "is not an arXiv id" in response.json()["error"]
    assert not DailyEntry.objects.exists()


def test_invalid_json_is_a_400(client, alice_token, fresh):
    response = client.post(
        "/api/daily_papers",
        b"{not json",
        content_type="application/json",
        **bearer(alice_token),
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


def test_an_oversized_body_is_a_413(client, alice_token, fresh):
    body = {"arxiv_id": "2501.00500", "padding": "x" * 100_000}
    response = post_json(client, "/api/daily_papers", body, alice_token)
    assert response.status_code == 413
    assert response.json()["error"]
    assert not DailyEntry.objects.exists()


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Basic YWxpY2U6cHc=", "pb_x"])
def test_missing_or_wrong_tokens_are_a_401(client, fresh, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.post(
        "/api/daily_papers", {"arxiv_id": "2501.00500"}, content_type="application/json", **extra
    )
    assert response.status_code == 401
    assert response.json()["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not DailyEntry.objects.exists()


def test_a_revoked_token_no_longer_works(client, alice, fresh):
    token, plaintext = ApiToken.issue(user=alice, name="old")
    token.revoke()
    response = post_json(client, "/api/daily_papers", {"arxiv_id": "2501.00500"}, plaintext)
    assert response.status_code == 401
    assert not DailyEntry.objects.exists()


def test_a_feed_token_cannot_write(client, alice, fresh):
    plaintext = ApiToken.issue(user=alice, name="feed", scope=ApiToken.Scope.FEED)[1]
    response = post_json(client, "/api/daily_papers", {"arxiv_id": "2501.00500"}, plaintext)
    assert response.status_code == 401


def test_a_deactivated_member_s_token_no_longer_works(client, alice, alice_token, fresh):
    alice.is_active = False
    alice.save()
    response = post_json(client, "/api/papers/2501.00500/upvote", {}, alice_token)
    assert response.status_code == 401
    assert not Upvote.objects.exists()


def test_upvote_and_take_it_back(client, alice, alice_token, listed):
    url = "/api/papers/2501.00102/upvote"
    response = client.post(url, **bearer(alice_token))
    assert response.status_code == 200
    assert response.json() == {"id": "2501.00102", "upvotes": 2, "upvoted": True}
    again = client.post(url, **bearer(alice_token))
    assert again.json()["upvotes"] == 2  # one vote per member
    assert Upvote.objects.filter(user=alice).count() == 1
    entry = DailyEntry.objects.get(paper__arxiv_id="2501.00102")
    assert entry.upvotes_count == 2
    gone = client.delete(url, **bearer(alice_token))
    assert gone.json() == {"id": "2501.00102", "upvotes": 1, "upvoted": False}
    assert not Upvote.objects.exists()


def test_upvoting_an_old_style_id_works(client, alice_token, db):
    make_paper(arxiv_id="hep-th/9901001", categories=["hep-th"])
    response = client.post("/api/papers/hep-th/9901001/upvote", **bearer(alice_token))
    assert response.status_code == 200
    assert response.json()["upvotes"] == 1


def test_upvoting_an_unknown_paper_is_a_404(client, alice_token, db):
    response = client.post("/api/papers/2501.99999/upvote", **bearer(alice_token))
    assert response.status_code == 404
    assert response.json()["error"]
    assert not Upvote.objects.exists()


def test_upvoting_without_a_token_is_a_401(client, listed):
    response = client.post("/api/papers/2501.00102/upvote")
    assert response.status_code == 401
    assert not Upvote.objects.exists()


def test_whoami_names_the_token_s_owner(client, alice_token):
    data = client.get("/api/whoami-v2", **bearer(alice_token)).json()
    assert data["name"] == "alice"
    assert data["token"] == {"name": "script", "scope": "api"}


def test_tokens_are_stored_hashed(alice):
    token, plaintext = ApiToken.issue(user=alice, name="x")
    token.refresh_from_db()
    assert plaintext not in (token.digest, token.prefix)
    assert len(token.digest) == 64
    assert plaintext.startswith(token.prefix)
    assert ApiToken.authenticate(plaintext, scope="api") == token
    assert ApiToken.authenticate(plaintext + "x", scope="api") is None


def test_hidden_papers_cannot_be_upvoted_like_on_the_web(client, alice_token, listed):
    listed[1].paper.hidden = True
    listed[1].paper.save()
    response = client.post("/api/papers/2501.00102/upvote", **bearer(alice_token))
    assert response.status_code == 404
    assert response.json()["error"]
    assert not Upvote.objects.exists()
