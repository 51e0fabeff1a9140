"""Posting, editing, deleting and removing comments, and building a paper's thread.

Every change recounts ``Paper.comments_count`` from the rows (never +1) while the paper row is
locked, then rescoring trending through ``feed.votes.refresh_counters``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from paperboy.accounts.claims import approved_on
from paperboy.accounts.models import User
from paperboy.comments.models import Comment
from paperboy.feed import votes
from paperboy.lib import markdown
from paperboy.lib.text import BadInput, clean_input
from paperboy.papers.models import Paper


class Refused(Exception):
    """The change is not allowed; ``message`` says why, for the reader."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def check_body(body: str) -> str:
    """The comment as it will be stored: typed text (``lib.text.clean_input``: no NUL, no
    control characters), stripped, not empty, not too long. Web form and API alike."""
    try:
        body = clean_input(body or "", name="The comment").strip()
    except BadInput as exc:
        raise Refused(str(exc)) from None
    limit = settings.PAPERBOY_COMMENT_MAX_CHARS
    if not body:
        raise Refused("A comment cannot be empty.")
    if len(body) > limit:
        raise Refused(
            f"A comment can be at most {limit:,} characters long (this one has {len(body):,})."
        )
    return body


def _render(body: str, paper: Paper) -> tuple[str, list[User]]:
    """Render and sanitize; mentions link to members' profiles, and a mention of one of the
    paper's verified authors says so."""
    names = markdown.mentions(body)
    users = (
        {
            u.username.lower(): u
            for u in User.objects.filter(username__in=names, is_active=True).only("username")
        }
        if names
        else {}
    )

    def url(name: str) -> str:
        user = users.get(name.lower())
        return reverse("accounts:profile", args=[user.username]) if user else ""

    authors = (
        frozenset(c.username.lower() for c in approved_on(paper) if c.username.lower() in users)
        if users
        else frozenset()
    )
    return markdown.render(body, mention_url=url, author_names=authors).html, list(users.values())


def refresh_count(paper_id: int) -> int:
    """Recount the paper's comments and rescore it. Call inside a transaction."""
    count = Comment.objects.filter(paper_id=paper_id).counted().count()
    Paper.objects.filter(pk=paper_id).update(comments_count=count)
    votes.refresh_counters(paper_id)
    return count


def _lock(paper_id: int) -> None:
    list(Paper.objects.select_for_update().filter(pk=paper_id).values_list("pk", flat=True))


def post(*, user, paper: Paper, body: str, parent: Comment | None = None) -> Comment:
    body = check_body(body)
    if not user.is_authenticated or not user.is_active:
        raise Refused("Sign in to comment.", status=403)
    if parent is not None and (parent.paper_id != paper.pk or parent.is_gone):
        raise Refused("That comment is gone; you can no longer reply to it.", status=404)
    html, mentioned = _render(body, paper)
    with transaction.atomic():
        _lock(paper.pk)
        comment = Comment.objects.create(
            paper=paper, user=user, parent=parent, body=body, html=html
        )
        if mentioned:
            comment.mentions.set(mentioned)
        refresh_count(paper.pk)
    return comment


def _refuse_if_gone(comment: Comment) -> None:
    if comment.is_gone:
        raise Refused("That comment has been deleted; it can no longer be changed.", status=404)


def edit(*, user, comment: Comment, body: str) -> Comment:
    _refuse_if_gone(comment)
    if not comment.can_edit(user):
        if user.pk != comment.user_id:
            raise Refused("You can only edit your own comments.", status=403)
        raise Refused(
            f"Comments can be edited for {settings.PAPERBOY_COMMENT_EDIT_MINUTES} minutes "
            "after posting; this one can no longer be changed.",
            status=403,
        )
    body = check_body(body)
    html, mentioned = _render(body, comment.paper)
    comment.body, comment.html, comment.edited_at = body, html, timezone.now()
    with transaction.atomic():
        comment.save(update_fields=["body", "html", "edited_at"])
        comment.mentions.set(mentioned)
    return comment


def delete(*, user, comment: Comment) -> None:
    """The author deletes their comment: it stays as "[deleted]" while it has replies."""
    _refuse_if_gone(comment)
    if not comment.can_delete(user):
        raise Refused("You can only delete your own comments.", status=403)
    with transaction.atomic():
        _lock(comment.paper_id)
        Comment.objects.filter(pk=comment.pk).update(deleted_at=timezone.now())
        refresh_count(comment.paper_id)
    comment.refresh_from_db()


def remove(*, comment: Comment) -> None:
    """A moderator removes a comment (the audit log entry is written by moderation.actions)."""
    with transaction.atomic():
        _lock(comment.paper_id)
        Comment.objects.filter(pk=comment.pk).update(removed=True)
        refresh_count(comment.paper_id)
    comment.refresh_from_db()


# --- The thread --------------------------------------------------------------------------------


@dataclass
class Node:
    comment: Comment
    replies: list[Node] = field(default_factory=list)
    is_author: bool = False
    can_edit: bool = False
    can_delete: bool = False


def build_thread(comments: list[Comment], *, viewer, author_ids: set[int]) -> list[Node]:
    """Nest comments under their parents; a deleted comment with no replies left disappears,
    one with replies stays as "[deleted]". Pure: works on the list it is given."""
    nodes = {
        c.pk: Node(
            comment=c,
            is_author=c.user_id in author_ids,
            can_edit=c.can_edit(viewer),
            can_delete=c.can_delete(viewer),
        )
        for c in comments
    }
    roots: list[Node] = []
    for c in comments:
        parent = nodes.get(c.parent_id) if c.parent_id else None
        (parent.replies if parent else roots).append(nodes[c.pk])

    def prune(level: list[Node]) -> list[Node]:
        kept = []
        for node in level:
            node.replies = prune(node.replies)
            if not node.comment.is_gone or node.replies:
                kept.append(node)
        return kept

    return prune(roots)


def thread(paper: Paper, *, viewer, author_ids: set[int]) -> list[Node]:
    return build_thread(
        list(Comment.objects.for_thread(paper)), viewer=viewer, author_ids=author_ids
    )


def count_visible(nodes: list[Node]) -> int:
    return sum((not n.comment.is_gone) + count_visible(n.replies) for n in nodes)


def discussion_key(request, context: dict) -> tuple | None:
    """The paper page's discussion (``comments/paper_part.html#discussion``) is the same for
    every member with no comment in it (``lib.pagecache.share_part``): for them the key is the
    discussion's state (comments, latest post, edit and deletion, removals), so a change shows
    at once; None (render it for this member) for one who has a comment there (their Edit and
    Delete). One plain aggregate query by arXiv id; the paper itself is not read."""
    with connection.cursor() as cursor:
        cursor.execute(_discussion_sql(), [request.user.pk, context["arxiv_id"]])
        mine, *state = cursor.fetchone()
    return None if mine else ("discussion", *map(str, state))


@cache
def _discussion_sql() -> str:
    quote = connection.ops.quote_name
    comment, paper = Comment._meta, Paper._meta

    def column(meta, name: str) -> str:
        return "c." + quote(meta.get_field(name).column) if meta is comment else quote(name)

    c = {
        name: column(comment, name)
        for name in ("user", "created_at", "edited_at", "deleted_at", "removed", "id")
    }
    return (
        f"SELECT COALESCE(SUM(CASE WHEN {c['user']} = %s THEN 1 ELSE 0 END), 0), COUNT(*), "
        f"MAX({c['id']}), MAX({c['created_at']}), MAX({c['edited_at']}), "
        f"MAX({c['deleted_at']}), SUM(CASE WHEN {c['removed']} THEN 1 ELSE 0 END) "
        f"FROM {quote(comment.db_table)} c WHERE c.{quote(comment.get_field('paper').column)} = "
        f"(SELECT p.{quote(paper.get_field('id').column)} FROM {quote(paper.db_table)} p "
        f"WHERE p.{quote(paper.get_field('arxiv_id').column)} = %s)"
    )
