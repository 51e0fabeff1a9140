"""The audit log of moderation actions, and reports of comments by readers."""

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


class ReportQuerySet(models.QuerySet):
    def open(self) -> ReportQuerySet:
        return self.filter(resolved_at__isnull=True)


class Report(models.Model):
    """A reader flags a comment for the moderators; one report per reader per comment."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSE = "abuse", "Abusive or harassing"
        OFF_TOPIC = "off_topic", "Off topic"
        OTHER = "other", "Something else"

    comment = models.ForeignKey(
        "comments.Comment", on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(max_length=16, choices=Reason.choices, default=Reason.OTHER)
    note = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="report_once"),
        ]

    def __str__(self) -> str:
        return f"report of comment {self.comment_id} by {self.reporter_id}"
