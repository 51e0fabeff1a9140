"""Asking for a digest: create or refresh a subscription and mail its confirmation link.

An anonymous request never changes a subscription that is already active (anyone can type any
address); it only (re)starts the double opt-in of a pending, unsubscribed or bounced one. A
member subscribing their own verified address skips the opt-in: they proved it at sign-up.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from paperboy.digests import tasks
from paperboy.digests.models import Subscription, new_nonce

# A second confirmation email to the same address within this window is not sent.
RESEND_AFTER = timedelta(minutes=2)

SENT = "sent"  # a confirmation email is on its way
ACTIVE = "active"  # already subscribed: nothing changed
CONFIRMED = "confirmed"  # a member's verified address: subscribed at once
THROTTLED = "throttled"  # a confirmation went out moments ago


def request(
    *,
    email: str,
    frequency: str,
    categories: list[str] | None = None,
    organizations: list[str] | None = None,
    search_query: str = "",
    alert_categories: list[str] | None = None,
    alert_keywords: list[str] | None = None,
    user=None,
    verified: bool = False,
) -> tuple[Subscription, str]:
    email = email.strip().lower()
    now = timezone.now()
    with transaction.atomic():
        sub, _ = Subscription.objects.select_for_update().get_or_create(email=email)
        if sub.is_active and not verified:
            return sub, ACTIVE
        sub.frequency = frequency
        sub.categories = categories or []
        sub.organizations = organizations or []
        sub.search_query = search_query
        sub.alert_categories = alert_categories or []
        sub.alert_keywords = alert_keywords or []
        if user is not None:
            sub.user = user
        if verified:
            sub.save()
            if not sub.is_active:
                sub.confirm(now=now)
            return sub, CONFIRMED
        if sub.confirmation_sent_at and now - sub.confirmation_sent_at < RESEND_AFTER:
            sub.save()
            return sub, THROTTLED
        sub.nonce = new_nonce()
        sub.confirmation_sent_at = now
        sub.save()
        transaction.on_commit(lambda: tasks.send_confirmation.enqueue(sub.pk))
    return sub, SENT
