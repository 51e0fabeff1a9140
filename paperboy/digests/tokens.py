"""Signed links for confirming, unsubscribing and managing a subscription (no login needed).

Each link carries the subscription id and a value that stops it from outliving its purpose:
the confirmation link the subscription's current nonce (and it expires), the unsubscribe and
manage links the address they were mailed to.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from paperboy.digests.models import Subscription

CONFIRM = "digests.confirm"
UNSUBSCRIBE = "digests.unsubscribe"
MANAGE = "digests.manage"


class BadToken(Exception):
    """A link that is tampered with, expired, or no longer valid; the message says which."""


def make(purpose: str, subscription) -> str:
    value = subscription.nonce if purpose == CONFIRM else subscription.email
    return signing.dumps({"s": subscription.pk, "v": value}, salt=purpose)


def read(purpose: str, token: str, *, max_age: int | None = None):
    """The subscription a token names. Raises ``BadToken`` with a sentence for the reader."""
    try:
        data = signing.loads(token, salt=purpose, max_age=max_age)
    except signing.SignatureExpired:
        raise BadToken("This link has expired. Subscribe again to get a fresh one.") from None
    except signing.BadSignature:
        raise BadToken("This link is not valid: it may have been cut short or altered.") from None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise BadToken("This link is not valid.")
    subscription = Subscription.objects.filter(pk=data["s"]).first()
    if subscription is None:
        raise BadToken("This subscription no longer exists.")
    expected = subscription.nonce if purpose == CONFIRM else subscription.email
    if data.get("v") != expected:
        if purpose == CONFIRM:
            raise BadToken(
                "This confirmation link has been used up or replaced by a newer one. "
                "Subscribe again to get a fresh link."
            )
        raise BadToken("This link belongs to an address that is no longer subscribed.")
    return subscription


def absolute(name: str, token: str) -> str:
    return settings.SITE_URL + reverse(name, args=[token])


def confirm_url(subscription) -> str:
    return absolute("digests:confirm", make(CONFIRM, subscription))


def unsubscribe_url(subscription) -> str:
    return absolute("digests:unsubscribe", make(UNSUBSCRIBE, subscription))


def manage_url(subscription) -> str:
    return absolute("digests:manage", make(MANAGE, subscription))
