"""POST /digests/subscribe: double opt-in over real SMTP, bad addresses, floods."""

import re

import pytest

from paperboy.digests.models import Subscription
from paperboy.digests.tests.conftest import subscribe

URL = "/digests/subscribe"


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST and run the on-commit callbacks (the confirmation task) as a real commit would."""

    def post(data, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(URL, data, **extra)

    return post


def confirm_link(received) -> str:
    return re.search(r"https://papers\.example\.org(/digests/confirm/\S+)", received.text()).group(
        1
    )


def test_the_page_shows_the_form(client, db):
    response = client.get(URL + "?email=ada@example.org")
    assert response.status_code == 200
    assert b'value="ada@example.org"' in response.content


def test_subscribing_mails_a_confirmation_link_and_subscribes_nobody_yet(post, smtp, db):
    response = post({"email": "Ada@Example.org", "frequency": "weekly"})
    assert response.status_code == 200
    assert b"Check your inbox" in response.content
    sub = Subscription.objects.get()
    assert (sub.email, sub.frequency, sub.confirmed_at) == ("ada@example.org", "weekly", None)
    assert not sub.is_active
    [mail] = smtp.messages
    assert mail.rcpt_tos == ["ada@example.org"]
    assert mail.message["Subject"] == "Confirm your Paperboy digest subscription"
    assert confirm_link(mail) in mail.html()
    assert "List-Unsubscribe" not in mail.message  # not a list mail yet


def test_topics_are_saved(post, smtp, example_lab):
    post(
        {
            "email": "ada@example.org",
            "frequency": "daily",
            "categories": "cs.CL, cs.LG cs.CL",
            "organizations": ["example-lab"],
            "search_query": "  sparse   attention ",
        },
    )
    sub = Subscription.objects.get()
    assert sub.categories == ["cs.CL", "cs.LG"]
    assert sub.organizations == ["example-lab"]
    assert sub.search_query == "sparse attention"


@pytest.mark.parametrize(
    "email",
    [
        "a@b.c\r\nBcc: x@evil.example",
        "a@b.c\nBcc: x@evil.example",
        "not an address",
        "",
        "a" * 250 + "@b.co",
    ],
)
def test_a_bad_or_header_injecting_address_is_refused(post, smtp, db, email):
    response = post({"email": email, "frequency": "daily"})
    assert response.status_code == 400
    assert b"Enter a valid email address" in response.content or b"required" in response.content
    assert not Subscription.objects.exists()
    assert smtp.messages == []


@pytest.mark.parametrize(
    "data",
    [
        {"frequency": "hourly"},
        {"categories": "cs.CL; DROP TABLE"},
        {"organizations": ["no-such-org"]},
        {"search_query": "ok\x00no"},
    ],
)
def test_bad_topics_are_refused(post, smtp, db, data):
    response = post({"email": "ada@example.org", "frequency": "daily", **data})
    assert response.status_code == 400
    assert not Subscription.objects.exists()
    assert smtp.messages == []


def test_an_active_subscription_is_not_changed_by_someone_typing_its_address(post, smtp, db):
    sub = subscribe("ada@example.org", frequency="weekly", categories=["cs.CL"])
    response = post({"email": "ada@example.org", "frequency": "daily"})
    assert response.status_code == 200
    sub.refresh_from_db()
    assert (sub.frequency, sub.categories) == ("weekly", ["cs.CL"])
    assert smtp.messages == []


def test_asking_again_right_away_sends_no_second_email(post, smtp, db):
    post({"email": "ada@example.org", "frequency": "daily"})
    post({"email": "ada@example.org", "frequency": "daily"})
    assert len(smtp.messages) == 1


def test_a_flood_from_one_client_is_rate_limited(post, smtp, db, settings):
    settings.PAPERBOY_DIGEST_SUBSCRIBE_RATE = "3/h"
    for i in range(3):
        assert post({"email": f"u{i}@example.org", "frequency": "daily"}).status_code == 200
    response = post({"email": "u9@example.org", "frequency": "daily"})
    assert response.status_code == 429
    assert b"Too many" in response.content
    assert not Subscription.objects.filter(email="u9@example.org").exists()
    assert len(smtp.messages) == 3
    other = post({"email": "u8@example.org", "frequency": "daily"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/papers",
        "/papers/date/2025-01-20",
        "/papers/week/2025-W04",
        "/papers/month/2025-01",
        "/papers/trending",
    ],
)
def test_every_list_page_carries_the_header_and_footer_subscribe_forms(client, papers, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(f'action="{URL}"') == 2  # the header call and the footer
    assert 'id="subscribe-email"' in html and 'id="footer-subscribe-email"' in html
    assert "Get trending papers in your email inbox!" in html


def test_an_organization_page_carries_the_footer_subscribe_form(client, papers, example_lab):
    html = client.get(f"/{example_lab.slug}/papers").content.decode()
    assert 'id="footer-subscribe-email"' in html and f'action="{URL}"' in html
