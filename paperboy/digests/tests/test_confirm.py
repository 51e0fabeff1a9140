"""GET/POST /digests/confirm/<token>: the second half of the double opt-in."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from paperboy.digests import subscribing, tokens
from paperboy.digests.models import Subscription


@pytest.fixture
def pending(db):
    sub, _ = subscribing.request(email="ada@example.org", frequency="daily")
    return sub


def url(token: str) -> str:
    return f"/digests/confirm/{token}"


def test_the_link_asks_before_confirming(client, pending):
    response = client.get(url(tokens.make(tokens.CONFIRM, pending)))
    assert response.status_code == 200
    assert b"Yes, subscribe me" in response.content
    pending.refresh_from_db()
    assert pending.confirmed_at is None  # a link scanner opening it confirms nothing


def test_pressing_the_button_confirms(client, pending):
    response = client.post(url(tokens.make(tokens.CONFIRM, pending)))
    assert response.status_code == 200
    assert b"You&#x27;re subscribed" in response.content or b"You're subscribed" in response.content
    pending.refresh_from_db()
    assert pending.is_active


def test_a_reused_link_changes_nothing(client, pending):
    token = tokens.make(tokens.CONFIRM, pending)
    client.post(url(token))
    pending.refresh_from_db()
    first = pending.confirmed_at
    response = client.post(url(token))
    assert response.status_code == 200
    assert b"Already confirmed" in response.content
    pending.refresh_from_db()
    assert pending.confirmed_at == first


def test_a_tampered_link_is_refused(client, pending):
    token = tokens.make(tokens.CONFIRM, pending)
    for bad in (token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), token[:20], "x" * 40):
        response = client.post(url(bad))
        assert response.status_code == 400
        assert b"not valid" in response.content
    pending.refresh_from_db()
    assert pending.confirmed_at is None


def test_a_link_for_another_subscription_id_is_refused(client, pending):
    from django.core import signing

    forged = signing.dumps({"s": pending.pk + 1, "v": pending.nonce}, salt="wrong-salt")
    assert client.post(url(forged)).status_code == 400
    pending.refresh_from_db()
    assert pending.confirmed_at is None


def test_an_expired_link_is_refused(client, pending, settings):
    token = tokens.make(tokens.CONFIRM, pending)
    later = timezone.now() + timedelta(hours=settings.PAPERBOY_DIGEST_CONFIRM_MAX_AGE_HOURS + 1)
    with time_machine.travel(later):
        response = client.post(url(token))
    assert response.status_code == 400
    assert b"expired" in response.content
    pending.refresh_from_db()
    assert pending.confirmed_at is None


def test_a_link_replaced_by_a_newer_request_is_refused(client, pending):
    old = tokens.make(tokens.CONFIRM, pending)
    Subscription.objects.filter(pk=pending.pk).update(confirmation_sent_at=None)
    subscribing.request(email="ada@example.org", frequency="daily")
    response = client.post(url(old))
    assert response.status_code == 400
    assert b"replaced" in response.content
    pending.refresh_from_db()
    assert pending.confirmed_at is None


def test_an_old_link_cannot_revive_an_unsubscribed_address(client, pending):
    token = tokens.make(tokens.CONFIRM, pending)
    client.post(url(token))
    pending.refresh_from_db()
    pending.unsubscribe()
    response = client.post(url(token))
    assert response.status_code == 400
    pending.refresh_from_db()
    assert not pending.is_active


def test_confirming_a_members_verified_address_ties_it_to_the_member(client, alice):
    """So a member who subscribed from the public form gets the "for you" section too."""
    sub, _ = subscribing.request(email="Alice@example.org", frequency="daily")
    assert sub.user is None
    client.post(url(tokens.make(tokens.CONFIRM, sub)))
    sub.refresh_from_db()
    assert sub.is_active and sub.user == alice


def test_confirming_an_address_no_member_verified_ties_it_to_nobody(client, charlie):
    sub, _ = subscribing.request(email="charlie@example.net", frequency="daily")
    client.post(url(tokens.make(tokens.CONFIRM, sub)))
    sub.refresh_from_db()
    assert sub.is_active and sub.user is None  # charlie never verified that address
