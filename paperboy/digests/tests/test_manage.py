"""/digests/manage/<token> and the members' /digests/settings page."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from paperboy.digests import tokens
from paperboy.digests.models import Subscription
from paperboy.digests.tests.conftest import subscribe


@pytest.fixture
def sub(db, example_lab):
    return subscribe("ada@example.org")


def url(sub) -> str:
    return f"/digests/manage/{tokens.make(tokens.MANAGE, sub)}"


def test_the_page_shows_the_current_choices(client, sub):
    response = client.get(url(sub))
    assert response.status_code == 200
    assert b"ada@example.org" in response.content


def test_changing_frequency_and_topics(client, sub):
    response = client.post(
        url(sub),
        {"frequency": "weekly", "categories": "cs.CL", "organizations": ["example-lab"]},
    )
    assert response.status_code == 302
    sub.refresh_from_db()
    assert (sub.frequency, sub.categories, sub.organizations) == (
        "weekly",
        ["cs.CL"],
        ["example-lab"],
    )


def test_bad_input_changes_nothing(client, sub):
    response = client.post(url(sub), {"frequency": "hourly", "categories": "cs.CL"})
    assert response.status_code == 400
    sub.refresh_from_db()
    assert (sub.frequency, sub.categories) == ("daily", [])


def test_unsubscribing_from_the_page(client, sub):
    response = client.post(url(sub), {"unsubscribe": "1"})
    assert response.status_code == 302
    sub.refresh_from_db()
    assert not sub.is_active


def test_an_expired_or_tampered_link_is_refused(client, sub, settings):
    link = url(sub)
    assert client.get(link + "x").status_code == 400
    later = timezone.now() + timedelta(days=settings.PAPERBOY_DIGEST_MANAGE_MAX_AGE_DAYS + 1)
    with time_machine.travel(later):
        assert client.get(link).status_code == 400


def test_members_subscribe_their_verified_address_at_once(client, alice, smtp):
    client.force_login(alice)
    assert client.get("/digests/settings").status_code == 200
    response = client.post("/digests/settings", {"frequency": "weekly", "categories": "cs.LG"})
    assert response.status_code == 302
    sub = Subscription.objects.get(email="alice@example.org")
    assert sub.user == alice and sub.is_active and sub.frequency == "weekly"
    assert smtp.messages == []  # verified at sign-up: no second opt-in
    page = client.get("/digests/settings")
    assert b"Unsubscribe" in page.content


def test_members_without_a_verified_address_cannot_subscribe_from_settings(client, charlie):
    client.force_login(charlie)
    response = client.post("/digests/settings", {"frequency": "daily"})
    assert b"Verify your email address" in response.content
    assert not Subscription.objects.exists()


def test_the_settings_page_needs_a_login(client, db):
    assert client.get("/digests/settings").status_code == 302


def test_members_find_their_digest_settings_from_their_profile(client, alice):
    client.force_login(alice)
    html = client.get(f"/u/{alice.username}").content.decode()
    assert 'href="/digests/settings"' in html
    client.logout()
    assert 'href="/digests/settings"' not in client.get(f"/u/{alice.username}").content.decode()
