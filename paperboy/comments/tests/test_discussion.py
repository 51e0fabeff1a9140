"""Posting, editing and deleting comments: counters, trending, the edit window, [deleted]."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from paperboy.comments import discussion
from paperboy.comments.discussion import Refused
from paperboy.comments.models import Comment
from paperboy.testing import make_entry, make_paper


@pytest.fixture
def paper(db):
    paper = make_paper(title="A paper to discuss")
    make_entry(paper)
    return paper


def test_posting_counts_the_comment_and_rescores_trending(paper, alice):
    before = paper.daily.trending_score

    discussion.post(user=alice, paper=paper, body="Nice result")

    paper.refresh_from_db()
    paper.daily.refresh_from_db()
    assert paper.comments_count == 1
    assert paper.daily.trending_score > before


def test_a_reply_to_a_reply_nests(paper, alice, bob):
    top = discussion.post(user=alice, paper=paper, body="top")
    reply = discussion.post(user=bob, paper=paper, body="reply", parent=top)
    deeper = discussion.post(user=alice, paper=paper, body="deeper", parent=reply)

    nodes = discussion.thread(paper, viewer=alice, author_ids=set())

    assert [n.comment for n in nodes] == [top]
    assert nodes[0].replies[0].comment == reply
    assert nodes[0].replies[0].replies[0].comment == deeper


def test_a_reply_must_be_on_the_same_paper(paper, alice):
    other = make_paper()
    elsewhere = discussion.post(user=alice, paper=other, body="elsewhere")

    with pytest.raises(Refused):
        discussion.post(user=alice, paper=paper, body="x", parent=elsewhere)
    assert Comment.objects.filter(paper=paper).count() == 0


def test_empty_and_oversized_comments_are_refused(paper, alice, settings):
    settings.PAPERBOY_COMMENT_MAX_CHARS = 20
    with pytest.raises(Refused, match="empty"):
        discussion.post(user=alice, paper=paper, body="   ")
    with pytest.raises(Refused, match="at most 20 characters"):
        discussion.post(user=alice, paper=paper, body="x" * 21)
    assert not Comment.objects.exists()


def test_mentions_link_existing_users_only(paper, alice, bob):
    comment = discussion.post(user=alice, paper=paper, body="@bob look, and @nobody")

    assert list(comment.mentions.all()) == [bob]
    assert 'href="/u/bob"' in comment.html and "/u/nobody" not in comment.html


def test_a_mention_of_one_of_the_papers_verified_authors_says_so(paper, alice, bob):
    from paperboy.accounts.models import AuthorClaim

    AuthorClaim.objects.create(
        user=bob, paper=paper, author=paper.authors.first(), status="approved"
    )

    comment = discussion.post(user=alice, paper=paper, body="@bob, and @alice too?")

    assert '<a class="mention author" href="/u/bob" title="A verified author' in comment.html
    assert '<a class="mention" href="/u/alice"' in comment.html
    assert set(comment.mentions.all()) == {alice, bob}


def test_the_author_edits_within_the_window_only(paper, alice, settings):
    settings.PAPERBOY_COMMENT_EDIT_MINUTES = 10
    comment = discussion.post(user=alice, paper=paper, body="tpyo")

    discussion.edit(user=alice, comment=comment, body="typo")
    comment.refresh_from_db()
    assert comment.body == "typo" and comment.edited_at is not None

    later = timezone.now() + timedelta(minutes=11)
    with time_machine.travel(later), pytest.raises(Refused, match="10 minutes"):
        discussion.edit(user=alice, comment=comment, body="too late")
    comment.refresh_from_db()
    assert comment.body == "typo"


def test_nobody_edits_or_deletes_someone_elses_comment(paper, alice, bob):
    comment = discussion.post(user=alice, paper=paper, body="mine")

    with pytest.raises(Refused):
        discussion.edit(user=bob, comment=comment, body="hijacked")
    with pytest.raises(Refused):
        discussion.delete(user=bob, comment=comment)
    comment.refresh_from_db()
    assert comment.body == "mine" and comment.deleted_at is None


def test_a_deleted_comment_with_replies_stays_as_deleted(paper, alice, bob):
    top = discussion.post(user=alice, paper=paper, body="top")
    discussion.post(user=bob, paper=paper, body="reply", parent=top)
    lonely = discussion.post(user=alice, paper=paper, body="lonely")

    discussion.delete(user=alice, comment=top)
    discussion.delete(user=alice, comment=lonely)

    nodes = discussion.thread(paper, viewer=alice, author_ids=set())
    assert [n.comment.pk for n in nodes] == [top.pk]
    assert nodes[0].comment.is_gone and len(nodes[0].replies) == 1
    paper.refresh_from_db()
    assert paper.comments_count == 1


def test_a_verified_author_gets_the_badge(paper, alice, bob):
    discussion.post(user=alice, paper=paper, body="I wrote this")
    discussion.post(user=bob, paper=paper, body="I did not")

    nodes = discussion.thread(paper, viewer=bob, author_ids={alice.pk})

    assert [n.is_author for n in nodes] == [True, False]
