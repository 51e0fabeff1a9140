"""NUL and control characters in comments: posted or edited, from the web form or the API,
on either database, a NUL is a clear 400 (never a 500, never stored) and other control
characters are dropped."""

import json

import pytest

from paperboy.accounts.tokens import ApiToken
from paperboy.comments.models import Comment
from paperboy.testing import make_paper

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def paper(db):
    return make_paper(arxiv_id="2510.10001", title="Discussed paper")


def api_post(client, user, data):
    token = ApiToken.issue(user=user, name="script")[1]
    return client.post(
        "/api/papers/2510.10001/comment",
        json.dumps(data),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_a_nul_in_a_comment_from_the_form_is_a_400_and_nothing_is_stored(client, alice, paper):
    client.force_login(alice)

    response = client.post("/papers/2510.10001/comments", {"body": "a\x00b"}, **HTMX)

    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_nul_in_an_edit_is_a_400_and_the_comment_stays(client, alice, paper):
    comment = Comment.objects.create(paper=paper, user=alice, body="fine", html="<p>fine</p>")
    client.force_login(alice)

    response = client.post(f"/comments/{comment.pk}/edit", {"body": "a\x00b"})

    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.body == "fine" and comment.edited_at is None


@pytest.mark.parametrize("body", ["a\x00b", "a\ud800b"])
def test_a_nul_in_a_comment_from_the_api_is_a_json_400(client, alice, paper, body):
    response = api_post(client, alice, {"comment": body})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "cannot be stored" in response.json()["error"] or "unicode" in response.json()["error"]
    assert not Comment.objects.exists()


def test_other_control_characters_are_dropped_and_line_breaks_kept(client, alice, paper):
    response = api_post(client, alice, {"comment": "bell\x07 esc\x1b[31m\nnext\tline\x7f"})

    assert response.status_code == 201, response.content
    assert Comment.objects.get().body == "bell esc[31m\nnext\tline"


def test_an_edit_goes_through_the_same_cleaning(alice, paper):
    from paperboy.comments import discussion

    comment = discussion.post(user=alice, paper=paper, body="first")
    discussion.edit(user=alice, comment=comment, body="second\x0c\x1b")
    with pytest.raises(discussion.Refused, match="NUL character"):
        discussion.edit(user=alice, comment=comment, body="third\x00")

    comment.refresh_from_db()
    assert comment.body == "second"
