"""Errors across the API: a wrong method is a JSON 405; a write without a working token, with
an oversized body or with JSON of the wrong type is a JSON 4xx and changes nothing."""

import json

import pytest

from paperboy.api.tests.conftest import bearer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/papers/2501.00101/upvote"),
        ("put", "/api/daily_papers"),
        ("patch", "/api/papers/2501.00101/comment"),
        ("delete", "/api/papers/search"),
    ],
)
def test_a_wrong_method_is_a_json_405_naming_the_right_ones(client, listed, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert "not allowed" in response.json()["error"]
    assert response["Allow"]


WRITES = [
    ("post", "/api/daily_papers", {"arxiv_id": "2501.00500"}),
    ("post", "/api/papers/2501.00102/upvote", None),
    ("delete", "/api/papers/2501.00101/upvote", None),
    ("post", "/api/papers/2501.00102/comment", {"comment": "Nice."}),
]


def snapshot() -> tuple:
    from paperboy.comments.models import Comment
    from paperboy.feed.models import DailyEntry, Upvote

    return (
        sorted(DailyEntry.objects.values_list("paper_id", "upvotes_count")),
        sorted(Upvote.objects.values_list("user_id", "paper_id")),
        Comment.objects.count(),
    )


@pytest.fixture
def before(listed, alice):
    from paperboy.feed import votes
    from paperboy.testing import make_paper

    make_paper(arxiv_id="2501.00500")
    votes.upvote(user_id=alice.pk, paper_id=listed[0].paper_id)
    return snapshot()


def send(client, method, url, body, **headers):
    data = json.dumps(body) if body is not None else ""
    return getattr(client, method)(url, data, content_type="application/json", **headers)


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
@pytest.mark.parametrize("token", ["none", "revoked", "feed", "unknown"])
def test_writes_without_a_working_api_token_are_a_401_and_change_nothing(
    client, alice, before, method, url, body, token
):
    from paperboy.accounts.tokens import ApiToken

    headers = {}
    if token == "revoked":
        issued, plaintext = ApiToken.issue(user=alice, name="old")
        issued.revoke()
        headers = bearer(plaintext)
    elif token == "feed":
        headers = bearer(ApiToken.issue(user=alice, name="feed", scope="feed")[1])
    elif token == "unknown":
        headers = bearer("pb_" + "x" * 43)
    response = send(client, method, url, body, **headers)
    assert response.status_code == 401
    assert response.json()["error"]
    assert snapshot() == before


@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_oversized_bodies_are_a_413_and_change_nothing(
    client, alice_token, before, method, url, body
):
    padded = {**(body or {}), "padding": "x" * 70_000}
    response = send(client, method, url, padded, **bearer(alice_token))
    assert response.status_code == 413
    assert "over 65536 bytes" in response.json()["error"]
    assert snapshot() == before


@pytest.mark.parametrize(("method", "url", "body"), WRITES[0:1] + WRITES[3:])
@pytest.mark.parametrize("wrong", [[], "text", 12, None, {"arxiv_id": 1, "comment": ["x"]}])
def test_json_of_the_wrong_type_is_a_400_and_changes_nothing(
    client, alice_token, before, method, url, body, wrong
):
    response = client.post(url, json.dumps(wrong), content_type="application/json",
                           **bearer(alice_token))  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"]
    assert snapshot() == before


def test_an_unexpected_fault_is_a_json_500_and_is_logged(client, listed, monkeypatch, caplog):
    from django.test import Client

    from paperboy.api import shapes

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(shapes, "daily_item", broken)
    response = Client(raise_request_exception=False).get("/api/daily_papers?date=2025-01-15")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"error": "Something went wrong on our side; it has been logged."}
    assert any(r.exc_info and "a bug" in str(r.exc_info[1]) for r in caplog.records)


@pytest.mark.parametrize("body", [{"comment": "hi", "parent": True}, {"arxiv_id": True}])
def test_json_types_are_taken_as_they_are(client, alice_token, before, body):
    """``true`` is not comment 1, and not an arXiv id: JSON types are not coerced."""
    url = "/api/papers/2501.00102/comment" if "comment" in body else "/api/daily_papers"
    response = send(client, "post", url, body, **bearer(alice_token))

    assert response.status_code == 400
    assert "valid" in response.json()["error"]
    assert snapshot() == before
