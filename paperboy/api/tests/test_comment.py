"""POST /api/papers/<id>/comment: the web's comment rules, through a token."""

import pytest

from paperboy.api.tests.conftest import bearer
from paperboy.comments.models import Comment
from paperboy.testing import make_paper

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper(db):
    return make_paper(arxiv_id="2501.00777")


def post(client, url, data, token=None):
    headers = bearer(token) if token else {}
    return client.post(url, data, content_type="application/json", **headers)


def test_a_member_comments_and_replies_with_a_token(client, alice, alice_token, paper):
    first = post(
        client, "/api/papers/2501.00777/comment", {"comment": "Is $O(n)$ tight?"}, alice_token
    )
    assert first.status_code == 201, first.content
    reply = post(
        client,
        "/api/papers/2501.00777/comment",
        {"comment": "Yes, see **Lemma 2**.", "parent": first.json()["id"]},
        alice_token,
    )

    assert reply.status_code == 201, reply.content
    assert reply.json()["parent"] == first.json()["id"]
    assert "<strong>Lemma 2</strong>" in reply.json()["html"]
    assert reply.json()["numComments"] == 2
    paper.refresh_from_db()
    assert paper.comments_count == 2 and Comment.objects.filter(user=alice).count() == 2


def test_scripts_are_neutralised(client, alice_token, paper):
    response = post(
        client,
        "/api/papers/2501.00777/comment",
        {"comment": "<script>alert(1)</script>[x](javascript:alert(1))"},
        alice_token,
    )

    assert response.status_code == 201
    assert "<script" not in response.json()["html"]
    assert 'href="javascript:' not in response.json()["html"]


@pytest.mark.parametrize(
    ("data", "status"),
    [({"comment": ""}, 400), ({"comment": 42}, 400), ({"comment": "hi", "parent": 999}, 404)],
)
def test_bad_comments_change_nothing(client, alice_token, paper, data, status):
    response = post(client, "/api/papers/2501.00777/comment", data, alice_token)

    assert response.status_code == status
    assert "error" in response.json()
    assert not Comment.objects.exists()


def test_it_needs_a_token_and_a_known_paper(client, alice_token, paper):
    assert post(client, "/api/papers/2501.00777/comment", {"comment": "hi"}).status_code == 401
    unknown = post(client, "/api/papers/2501.09999/comment", {"comment": "hi"}, alice_token)
    assert unknown.status_code == 404
    assert not Comment.objects.exists()


def test_the_comment_rate_limit_applies(client, alice_token, paper, settings):
    settings.PAPERBOY_RATE_LIMITS = {"comment": {"user": "2/m"}}
    codes = [
        post(
            client, "/api/papers/2501.00777/comment", {"comment": f"n{i}"}, alice_token
        ).status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]
    assert Comment.objects.count() == 2
