"""Email subscriptions and one delivery row per (subscription, period).

A ``Subscription`` is an address (with its member, when there is one) that asked for a daily or
weekly digest. Nothing is sent to it before ``confirmed_at`` (double opt-in), and nothing after
``unsubscribed_at`` or ``bounced_at`` (a permanent 5xx from the mail server).

A ``Delivery`` is the claim on one digest: the unique (subscription, period) row is created
before anything is sent, and a worker takes it with a conditional UPDATE (``claim``), so two
workers, a retry or a restarted worker never send the same digest twice.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from paperboy.digests import periods


class Frequency(models.TextChoices):
    DAILY = periods.DAILY, "Daily (weekday mornings)"
    WEEKLY = periods.WEEKLY, "Weekly (Mondays)"


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


class SubscriptionQuerySet(models.QuerySet):
    def active(self) -> SubscriptionQuerySet:
        """Confirmed, not unsubscribed, not bounced: the addresses we may mail."""
        return self.filter(
            confirmed_at__isnull=False, unsubscribed_at__isnull=True, bounced_at__isnull=True
        )

    def due_for(self, period: periods.DigestPeriod) -> SubscriptionQuerySet:
        """Active subscribers of the period's frequency without a delivery row for it yet."""
        return (
            self.active()
            .filter(frequency=period.frequency)
            .exclude(pk__in=Delivery.objects.filter(period=period.key).values("subscription_id"))
        )


class Subscription(models.Model):
    email = models.EmailField(max_length=254, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digest_subscriptions",
    )
    frequency = models.CharField(max_length=8, choices=Frequency, default=Frequency.DAILY)
    # Topics narrow the trending section; a paper matching any of them qualifies.
    categories = models.JSONField(default=list, blank=True, help_text="arXiv codes, e.g. cs.CL")
    organizations = models.JSONField(default=list, blank=True, help_text="organization slugs")
    search_query = models.CharField(max_length=200, blank=True)
    # Alerts: each category, and each keyword phrase, is a section of its own with the new
    # papers of the period (``foryou.alerts``; members also get their saved searches and
    # follows).
    alert_categories = models.JSONField(default=list, blank=True, help_text="arXiv codes")
    alert_keywords = models.JSONField(default=list, blank=True, help_text="phrases")

    created_at = models.DateTimeField(auto_now_add=True)
    # Part of every confirmation link; replaced on each new request and on unsubscribe, so an
    # old link can neither confirm twice nor revive an unsubscribed address.
    nonce = models.CharField(max_length=32, default=new_nonce)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    bounce_reason = models.CharField(max_length=500, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["frequency", "confirmed_at"], name="digest_sub_freq")]

    def __str__(self) -> str:
        return self.email

    @property
    def is_active(self) -> bool:
        return bool(self.confirmed_at and not self.unsubscribed_at and not self.bounced_at)

    @property
    def has_topics(self) -> bool:
        return bool(self.categories or self.organizations or self.search_query)

    @property
    def topics_label(self) -> str:
        parts = [*self.categories, *self.organizations]
        if self.search_query:
            parts.append(f"“{self.search_query}”")
        return ", ".join(parts)

    def confirm(self, *, now: datetime | None = None) -> None:
        self.confirmed_at = now or timezone.now()
        self.unsubscribed_at = None
        self.bounced_at = None
        self.bounce_reason = ""
        self.save(update_fields=["confirmed_at", "unsubscribed_at", "bounced_at", "bounce_reason"])

    def unsubscribe(self, *, now: datetime | None = None) -> None:
        self.unsubscribed_at = now or timezone.now()
        self.nonce = new_nonce()
        self.save(update_fields=["unsubscribed_at", "nonce"])

    def mark_bounced(self, reason: str, *, now: datetime | None = None) -> None:
        Subscription.objects.filter(pk=self.pk).update(
            bounced_at=now or timezone.now(), bounce_reason=reason[:500]
        )


class DeliveryQuerySet(models.QuerySet):
    def claimable(self, now: datetime, *, lease: timedelta) -> DeliveryQuerySet:
        """Rows a worker may take: new, due for a retry, or held by a worker that died."""
        return self.filter(
            Q(status=Delivery.Status.PENDING)
            | Q(status=Delivery.Status.RETRY, next_attempt_at__lte=now)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - lease)
        )


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"  # claimed by a worker
        SENT = "sent"
        RETRY = "retry"  # a temporary failure; tried again at next_attempt_at
        FAILED = "failed"  # permanent failure or out of attempts
        SKIPPED = "skipped"  # nothing to send (empty period) or no longer subscribed

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    period = models.CharField(max_length=32, help_text="e.g. daily:2025-01-17")
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    paper_ids = models.JSONField(default=list, blank=True, help_text="papers in this digest")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period"], name="delivery_one_per_period"
            ),
        ]
        indexes = [models.Index(fields=["period", "status"], name="delivery_period_status")]

    def __str__(self) -> str:
        return f"{self.period} → {self.subscription_id} ({self.status})"
