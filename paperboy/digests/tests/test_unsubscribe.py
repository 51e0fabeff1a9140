"""/digests/unsubscribe/<token>: the one-click link and the RFC 8058 POST."""

import pytest

from paperboy.digests import tokens
from paperboy.digests.tests.conftest import subscribe


@pytest.fixture
def sub(db):
    return subscribe("ada@example.org")


def url(sub) -> str:
    return f"/digests/unsubscribe/{tokens.make(tokens.UNSUBSCRIBE, sub)}"


def test_opening_the_link_unsubscribes_without_login(client, sub):
    response = client.get(url(sub))
    assert response.status_code == 200
    assert b"will get no more digests" in response.content
    sub.refresh_from_db()
    assert sub.unsubscribed_at is not None and not sub.is_active


def test_the_one_click_post_unsubscribes_without_csrf_token(sub):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(url(sub), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    sub.refresh_from_db()
    assert sub.unsubscribed_at is not None


def test_a_reused_link_changes_nothing(client, sub):
    link = url(sub)
    client.get(link)
    sub.refresh_from_db()
    first = sub.unsubscribed_at
    response = client.get(link)
    assert response.status_code == 200
    assert b"already unsubscribed" in response.content
    sub.refresh_from_db()
    assert sub.unsubscribed_at == first


def test_a_tampered_link_is_refused(client, sub):
    token = tokens.make(tokens.UNSUBSCRIBE, sub)
    response = client.post(
        f"/digests/unsubscribe/{token[:-3]}xyz", {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 400
    sub.refresh_from_db()
    assert sub.is_active


def test_a_confirmation_token_does_not_unsubscribe(client, sub):
    response = client.get(f"/digests/unsubscribe/{tokens.make(tokens.CONFIRM, sub)}")
    assert response.status_code == 400
    sub.refresh_from_db()
    assert sub.is_active
