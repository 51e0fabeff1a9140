"""Threaded comments under a paper. Posting, editing and deleting go through
``comments/discussion.py``, which keeps ``Paper.comments_count`` and trending current."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.timesince import timesince

from paperboy.papers.models import Paper


class CommentQuerySet(models.QuerySet):
    def counted(self) -> CommentQuerySet:
        """The comments that count on a card: neither deleted nor removed by a moderator."""
        return self.filter(deleted_at__isnull=True, removed=False)

    def for_thread(self, paper: Paper) -> CommentQuerySet:
        """A paper's whole discussion, oldest first, with each author, in one query."""
        return (
            self.filter(paper=paper)
            .select_related("user")
            .only(
                "paper_id",
                "parent_id",
                "body",
                "html",
                "created_at",
                "edited_at",
                "deleted_at",
                "removed",
                "user__username",
                "user__first_name",
                "user__last_name",
                "user__is_active",
            )
            .order_by("created_at", "pk")
        )


class Comment(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="comments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(help_text="Markdown, as written.")
    html = models.TextField(help_text="Rendered and sanitized from the body.")
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in"
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    removed = models.BooleanField(default=False, help_text="Removed by a moderator.")

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["paper", "created_at"], name="comment_paper_time")]

    def __str__(self) -> str:
        return f"#{self.pk} by {self.user_id} on {self.paper_id}"

    def get_absolute_url(self) -> str:
        return f"{self.paper.get_absolute_url()}#comment-{self.pk}"

    @property
    def is_gone(self) -> bool:
        return self.deleted_at is not None or self.removed

    def posted_ago(self, now=None) -> str:
        """ "just now", "5 minutes ago", "3 hours ago": the largest unit only."""
        now = now or timezone.now()
        if now - self.created_at < timedelta(minutes=1):
            return "just now"
        return f"{timesince(self.created_at, now, depth=1)} ago"

    def editable_until(self):
        return self.created_at + timedelta(minutes=settings.PAPERBOY_COMMENT_EDIT_MINUTES)

    def can_edit(self, user) -> bool:
        return (
            user.is_authenticated
            and user.pk == self.user_id
            and not self.is_gone
            and timezone.now() <= self.editable_until()
        )

    def can_delete(self, user) -> bool:
        return user.is_authenticated and user.pk == self.user_id and not self.is_gone


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

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
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
        db_table = "moderation_report"  # created by moderation; comments took it over in place
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="report_once"),
        ]

    def __str__(self) -> str:
        return f"report of comment {self.comment_id} by {self.reporter_id}"
