"""Moderation actions. Each one changes the site and writes an AuditLog entry (who, what,
when, why) in the same transaction: there is no moderation without its trace."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Count, Model
from django.utils import timezone

from paperboy.accounts import signedin
from paperboy.accounts.models import AuthorClaim, Follow, User
from paperboy.comments import discussion
from paperboy.comments.models import Comment, Report
from paperboy.ingest import pgload
from paperboy.lib import pagecache
from paperboy.moderation.models import AuditLog
from paperboy.papers.models import Author, Paper, PaperAuthor

Action = AuditLog.Action


class ModerationError(Exception):
    pass


def log(*, actor, action: str, target: Model, reason: str, **details) -> AuditLog:
    return AuditLog.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        target_type=target._meta.label,
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        reason=reason.strip(),
        details=details,
    )


def _forget_page(paper: Paper) -> None:
    """Drop the visitors' cached copy of the paper page, so a moderation shows at once there
    (lists catch up within ``PAPERBOY_LIST_CACHE_SECONDS``)."""
    pagecache.forget(paper.get_absolute_url())
    pagecache.forget(f"/api/papers/{paper.arxiv_id}")


def set_hidden(*, actor, papers, hidden: bool, reason: str) -> int:
    """Hide papers from every list, page, feed and the API (or show them again)."""
    done = 0
    with transaction.atomic():
        for paper in papers:
            if paper.hidden == hidden:
                continue
            Paper.objects.filter(pk=paper.pk).update(hidden=hidden)
            transaction.on_commit(lambda paper=paper: _forget_page(paper))
            log(
                actor=actor,
                action=Action.HIDE_PAPER if hidden else Action.UNHIDE_PAPER,
                target=paper,
                reason=reason,
            )
            done += 1
    return done


def remove_comment(*, actor, comment: Comment, reason: str) -> None:
    with transaction.atomic():
        discussion.remove(comment=comment)
        Report.objects.open().filter(comment=comment).update(
            resolved_at=timezone.now(), resolved_by=actor
        )
        log(
            actor=actor,
            action=Action.REMOVE_COMMENT,
            target=comment,
            reason=reason,
            author=comment.user.username,
            body=comment.body[:2000],
        )
        transaction.on_commit(lambda: _forget_page(comment.paper))


def dismiss_report(*, actor, report: Report, reason: str) -> None:
    with transaction.atomic():
        Report.objects.filter(pk=report.pk).update(resolved_at=timezone.now(), resolved_by=actor)
        log(actor=actor, action=Action.DISMISS_REPORT, target=report, reason=reason)


def set_banned(*, actor, user: User, banned: bool, reason: str) -> None:
    """A banned user can no longer sign in, comment, submit or vote."""
    if actor is not None and actor.pk == user.pk:
        raise ModerationError("You cannot ban yourself.")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=not banned)
        # update() sends no post_save: the signed-in copy of the user goes now and on commit.
        signedin.forget(user.pk)
        transaction.on_commit(lambda: signedin.forget(user.pk))
        log(
            actor=actor,
            action=Action.BAN_USER if banned else Action.UNBAN_USER,
            target=user,
            reason=reason,
        )


def decide_claim(*, actor, claim: AuthorClaim, approve: bool, reason: str) -> None:
    """Approve or reject a claim. One account per author of a paper: approving a claim on an
    author someone else already holds on that paper is refused (reject one of them first)."""
    if approve:
        holder = (
            AuthorClaim.objects.approved()
            .filter(paper_id=claim.paper_id, author_id=claim.author_id)
            .exclude(pk=claim.pk)
            .values_list("user__username", flat=True)
            .first()
        )
        if holder is not None:
            raise ModerationError(
                f"{claim.author} on {claim.paper.arxiv_id} is already claimed by @{holder}: "
                f"reject one of the two claims first. Nothing was changed."
            )
    with transaction.atomic():
        claim.decide(approve=approve, by=actor, note=reason)
        log(
            actor=actor,
            action=Action.APPROVE_CLAIM if approve else Action.REJECT_CLAIM,
            target=claim,
            reason=reason,
        )


def _refuse_conflicting_merge(author_ids: list[int]) -> None:
    """Two of the names on one paper are two people; two approved claims on one paper would be
    two accounts for one author. Either way the merge is refused, naming the paper."""
    together = (
        PaperAuthor.objects.filter(author_id__in=author_ids)
        .values("paper__arxiv_id")
        .annotate(names=Count("author", distinct=True))
        .filter(names__gt=1)
        .order_by("paper__arxiv_id")
        .values_list("paper__arxiv_id", flat=True)
        .first()
    )
    if together is not None:
        raise ModerationError(
            f"These names are listed side by side on {together}: they are different people. "
            "Nothing was merged."
        )
    claimed = (
        AuthorClaim.objects.approved()
        .filter(author_id__in=author_ids)
        .values("paper__arxiv_id")
        .annotate(claims=Count("pk"))
        .filter(claims__gt=1)
        .order_by("paper__arxiv_id")
        .values_list("paper__arxiv_id", flat=True)
        .first()
    )
    if claimed is not None:
        raise ModerationError(
            f"Two accounts hold approved claims on these names on {claimed}: reject one of "
            "them first. Nothing was merged."
        )


def merge_authors(*, actor, keep: Author, duplicates: list[Author], reason: str) -> int:
    """Fold duplicate author rows into ``keep``: their papers, follows and claims move over."""
    duplicates = [d for d in duplicates if d.pk != keep.pk]
    if not duplicates:
        raise ModerationError("Choose at least one other author to merge into the one you keep.")
    ids = [d.pk for d in duplicates]
    everyone = [keep.pk, *ids]
    _refuse_conflicting_merge(everyone)
    with transaction.atomic():
        if pgload.loading(connection):
            raise ModerationError(
                "A bulk import is loading papers right now; merge these authors once it has "
                "finished. Nothing was merged."
            )
        moved = PaperAuthor.objects.filter(author_id__in=ids).update(author=keep)
        followers = set(Follow.objects.filter(author=keep).values_list("user_id", flat=True))
        Follow.objects.filter(author_id__in=ids, user_id__in=followers).delete()
        Follow.objects.filter(author_id__in=ids).update(author=keep)
        AuthorClaim.objects.filter(author_id__in=ids).update(author=keep)
        names = [d.name for d in duplicates]
        Author.objects.filter(pk__in=ids).delete()
        log(
            actor=actor,
            action=Action.MERGE_AUTHORS,
            target=keep,
            reason=reason,
            merged=names,
            authorships_moved=moved,
        )
    return moved
