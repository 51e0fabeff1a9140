"""Which changes are signals: the receivers that retrain a member's model after them.

Connected in ``ForYouConfig.ready``. An upvote, a claim, a follow, a chosen category or a
dismissal (made or undone) schedules ``tasks.train_member`` for its member once the
transaction commits (once per member and transaction, however many rows changed).
"""

from __future__ import annotations

import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from paperboy.accounts.models import AuthorClaim, Follow
from paperboy.feed.models import Upvote
from paperboy.foryou.models import CategoryInterest, Dismissal
from paperboy.foryou.tasks import train_member

_pending = threading.local()


def schedule(member_id: int | None) -> None:
    """Retrain ``member_id``'s model after the current transaction commits."""
    if not member_id:
        return
    waiting: set[int] = getattr(_pending, "members", None) or set()
    _pending.members = waiting
    if member_id in waiting:
        return
    waiting.add(member_id)

    def enqueue() -> None:
        waiting.discard(member_id)
        train_member.enqueue(member_id)

    transaction.on_commit(enqueue)


def _by_user(sender, instance, **kwargs) -> None:
    schedule(instance.user_id)


def _by_member(sender, instance, **kwargs) -> None:
    schedule(instance.member_id)


def _claim(sender, instance, **kwargs) -> None:
    if instance.status == AuthorClaim.Status.APPROVED or kwargs.get("signal") is post_delete:
        schedule(instance.user_id)


def connect() -> None:
    for model in (Upvote, Follow):
        post_save.connect(_by_user, sender=model, dispatch_uid=f"foryou-{model.__name__}-save")
        post_delete.connect(_by_user, sender=model, dispatch_uid=f"foryou-{model.__name__}-del")
    for model in (Dismissal, CategoryInterest):
        post_save.connect(_by_member, sender=model, dispatch_uid=f"foryou-{model.__name__}-save")
        post_delete.connect(_by_member, sender=model, dispatch_uid=f"foryou-{model.__name__}-del")
    post_save.connect(_claim, sender=AuthorClaim, dispatch_uid="foryou-claim-save")
    post_delete.connect(_claim, sender=AuthorClaim, dispatch_uid="foryou-claim-del")
