"""Which changes are signals: the receivers that retrain a member's model after them.

Connected in ``ForYouConfig.ready``. An upvote, a save, a paper put in (or taken out of) one
of the member's collections, a claim, a follow, a chosen category or a dismissal (made or
undone) schedules ``tasks.train_member`` for its member once the transaction commits (once
per member and transaction, however many rows changed). Writes that send no signal (the
library's bulk saves) are caught by ``engine``: a stored model older than the newest signal
is scheduled for retraining when the member's recommendations are next read.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from paperboy.accounts.models import AuthorClaim, Follow
from paperboy.feed.models import Upvote
from paperboy.foryou.models import CategoryInterest, Dismissal
from paperboy.foryou.tasks import train_member
from paperboy.lib import memberpage
from paperboy.library.models import Collection, CollectionItem, SavedPaper


def page_scope(member_id: int) -> str:
    """The ``lib.memberpage`` scope of the member's For you page: bumped by every signal (the
    page shows their upvotes and saves and leaves out what they dismissed) and when their
    stored picks change (``picks.refresh``)."""
    return f"foryou:member:{member_id}"


def schedule(member_id: int | None) -> None:
    """Retrain ``member_id``'s model after the current transaction commits (once however many
    signals the transaction holds; nothing when it rolls back); their For you page is rendered
    anew from now on (``page_scope``)."""
    if not member_id:
        return
    # Every signal, even one whose training is scheduled already: a page rendered since the
    # last one must not be served again.
    memberpage.bump(page_scope(member_id))
    connection = transaction.get_connection()
    for entry in connection.run_on_commit:
        func = entry[1]
        if getattr(func, "foryou_member", None) == member_id and not func.done:
            return

    def enqueue() -> None:
        enqueue.done = True
        train_member.enqueue(member_id)

    enqueue.done = False
    enqueue.foryou_member = member_id
    transaction.on_commit(enqueue)


def _by_user(sender, instance, **kwargs) -> None:
    if kwargs.get("created", True):  # a new row or a deleted one, not an edit (a note, read)
        schedule(instance.user_id)


def _by_member(sender, instance, **kwargs) -> None:
    if kwargs.get("created", True):
        schedule(instance.member_id)


def _collected(sender, instance, **kwargs) -> None:
    if not kwargs.get("created", True):
        return
    # An organization's collections are no one member's signal (member_id is None then).
    schedule(
        Collection.objects.filter(pk=instance.collection_id)
        .values_list("member_id", flat=True)
        .first()
    )


def _claim(sender, instance, **kwargs) -> None:
    if instance.status == AuthorClaim.Status.APPROVED or kwargs.get("signal") is post_delete:
        schedule(instance.user_id)


def connect() -> None:
    for model in (Upvote, Follow):
        post_save.connect(_by_user, sender=model, dispatch_uid=f"foryou-{model.__name__}-save")
        post_delete.connect(_by_user, sender=model, dispatch_uid=f"foryou-{model.__name__}-del")
    for model in (Dismissal, CategoryInterest, SavedPaper):
        post_save.connect(_by_member, sender=model, dispatch_uid=f"foryou-{model.__name__}-save")
        post_delete.connect(_by_member, sender=model, dispatch_uid=f"foryou-{model.__name__}-del")
    post_save.connect(_collected, sender=CollectionItem, dispatch_uid="foryou-item-save")
    post_delete.connect(_collected, sender=CollectionItem, dispatch_uid="foryou-item-del")
    post_save.connect(_claim, sender=AuthorClaim, dispatch_uid="foryou-claim-save")
    post_delete.connect(_claim, sender=AuthorClaim, dispatch_uid="foryou-claim-del")
