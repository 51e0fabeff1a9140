"""The audit log of moderation actions (readers' reports of comments are the comments app's)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditLog(models.Model):
    """Who did what to which object, when and why. Written by ``moderation.actions`` only."""

    class Action(models.TextChoices):
        HIDE_PAPER = "hide_paper", "Hid a paper"
        UNHIDE_PAPER = "unhide_paper", "Showed a paper again"
        REMOVE_COMMENT = "remove_comment", "Removed a comment"
        BAN_USER = "ban_user", "Banned a user"
        UNBAN_USER = "unban_user", "Lifted a ban"
        MERGE_AUTHORS = "merge_authors", "Merged duplicate authors"
        APPROVE_CLAIM = "approve_claim", "Approved an authorship claim"
        REJECT_CLAIM = "reject_claim", "Rejected an authorship claim"
        DISMISS_REPORT = "dismiss_report", "Dismissed a report"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=300)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_repr}"
