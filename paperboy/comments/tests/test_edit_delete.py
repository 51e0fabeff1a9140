"""POST /comments/<pk>/edit and /comments/<pk>/delete."""

import pytest

from paperboy.comments import discussion
from paperboy.comments.models import Comment
from paperboy.testing import make_paper

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def comment(alice):
    paper = make_paper(arxiv_id="2510.10011")
    return discussion.post(user=alice, paper=paper, body="original")


def test_the_author_edits_their_comment(client, alice, comment):
    client.force_login(alice)

    response = client.post(f"/comments/{comment.pk}/edit", {"body": "better"}, **HTMX)

    assert response.status_code == 200
    assert "better" in response.content.decode() and "(edited)" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "better"


def test_someone_else_cannot_edit_or_delete_it(client, bob, charlie, comment):
    for user in (bob, charlie):
        client.force_login(user)
        edit = client.post(f"/comments/{comment.pk}/edit", {"body": "mine now"})
        delete = client.post(f"/comments/{comment.pk}/delete")
        assert edit.status_code == 403 and delete.status_code == 403
        assert "your own comments" in edit.content.decode()
    comment.refresh_from_db()
    assert comment.body == "original" and comment.deleted_at is None


def test_the_author_deletes_a_reply_less_comment_and_it_disappears(client, alice, comment):
    client.force_login(alice)

    response = client.post(f"/comments/{comment.pk}/delete", **HTMX)

    assert response.status_code == 200
    assert "original" not in response.content.decode()
    comment.refresh_from_db()
    comment.paper.refresh_from_db()
    assert comment.deleted_at is not None and comment.paper.comments_count == 0


def test_a_deleted_comment_with_a_reply_shows_deleted(client, alice, bob, comment):
    discussion.post(user=bob, paper=comment.paper, body="a reply", parent=comment)
    client.force_login(alice)

    html = client.post(f"/comments/{comment.pk}/delete", **HTMX).content.decode()

    assert "[deleted]" in html and "a reply" in html and "original" not in html


def test_a_missing_comment_is_a_404(client, alice, db):
    client.force_login(alice)
    assert client.post("/comments/999/edit", {"body": "x"}).status_code == 404
    assert client.post("/comments/999/delete").status_code == 404
    assert not Comment.objects.exists()


def test_a_deleted_comment_cannot_be_edited_deleted_again_or_replied_to(client, alice, comment):
    client.force_login(alice)
    client.post(f"/comments/{comment.pk}/delete")

    edit = client.post(f"/comments/{comment.pk}/edit", {"body": "resurrected"})
    again = client.post(f"/comments/{comment.pk}/delete")
    reply = client.post(
        f"/papers/{comment.paper.arxiv_id}/comments", {"body": "hello?", "parent": comment.pk}
    )

    assert edit.status_code == again.status_code == reply.status_code == 404
    assert "has been deleted" in edit.content.decode()
    assert "can no longer reply" in reply.content.decode()
    comment.refresh_from_db()
    assert comment.body == "original" and not Comment.objects.filter(parent=comment).exists()
