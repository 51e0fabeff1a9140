"""Readers reporting comments to the moderators."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from paperboy.comments.discussion import Refused
from paperboy.comments.models import Comment, Report


def report(*, comment: Comment, reporter, reason: str, note: str = "") -> Report:
    if reason not in Report.Reason.values:
        raise Refused("Choose why you are reporting this comment.")
    if comment.user_id == reporter.pk:
        raise Refused("You cannot report your own comment; delete it instead.", status=403)
    if comment.is_gone:
        raise Refused("That comment is already gone.", status=404)
    note = (note or "").strip()
    if len(note) > 1000:
        raise Refused("The note can be at most 1,000 characters long.")
    try:
        with transaction.atomic():
            return Report.objects.create(
                comment=comment, reporter=reporter, reason=reason, note=note
            )
    except IntegrityError:
        raise Refused("You have already reported this comment.", status=409) from None
