"""The Comment model: its age as shown, the edit window, who may change it."""

from datetime import timedelta

from django.utils import timezone

from paperboy.comments.models import Comment


def test_a_fresh_comment_was_posted_just_now_then_minutes_and_hours_ago():
    now = timezone.now()
    comment = Comment(created_at=now - timedelta(seconds=20))
    assert comment.posted_ago(now) == "just now"
    comment.created_at = now - timedelta(minutes=5, seconds=3)
    assert comment.posted_ago(now) == "5\xa0minutes ago"
    comment.created_at = now - timedelta(hours=3, minutes=7)
    assert comment.posted_ago(now) == "3\xa0hours ago"


def test_only_its_author_may_edit_within_the_window_or_delete(alice, bob, settings):
    settings.PAPERBOY_COMMENT_EDIT_MINUTES = 15
    comment = Comment(user=alice, created_at=timezone.now() - timedelta(minutes=16))
    assert not comment.can_edit(alice) and comment.can_delete(alice)
    assert not comment.can_delete(bob)
    comment.created_at = timezone.now()
    assert comment.can_edit(alice) and not comment.can_edit(bob)
    comment.deleted_at = timezone.now()
    assert not comment.can_edit(alice) and not comment.can_delete(alice)
