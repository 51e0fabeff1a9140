"""Subscribing to the digest in real Chromium: the header form, the confirmation email from a
real SMTP server, the link in it, confirmed."""

import re

import pytest
from playwright.sync_api import expect

from paperboy.digests.models import Subscription
from paperboy.digests.tests.conftest import _digest_settings, smtp  # noqa: F401  (fixtures)


@pytest.mark.browser
def test_subscribe_from_the_header_and_confirm_from_the_email(live_server, page, smtp, settings):  # noqa: F811
    settings.SITE_URL = live_server.url
    page.goto(f"{live_server.url}/papers")
    page.fill("#subscribe-email", "reader@example.org")
    page.locator("#subscribe").get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    assert Subscription.objects.get(email="reader@example.org").confirmed_at is None

    [mail] = smtp.messages
    assert mail.rcpt_tos == ["reader@example.org"]
    link = re.search(r"https?://\S+/digests/confirm/\S+", mail.text()).group(0)
    assert link.startswith(live_server.url)
    page.goto(link)
    page.get_by_role("button", name="Yes, subscribe me").click()
    expect(page.get_by_role("heading", name="You're subscribed")).to_be_visible()
    sub = Subscription.objects.get(email="reader@example.org")
    assert sub.is_active and sub.frequency == "daily"

    # The same link again: nothing changes.
    page.goto(link)
    expect(page.get_by_role("heading", name="Already confirmed")).to_be_visible()


@pytest.mark.browser
def test_subscribe_from_the_footer_with_a_bad_address(live_server, page, smtp):  # noqa: F811
    page.goto(f"{live_server.url}/papers/trending")
    # The browser's own check would stop "a@b"; a crafted request reaches the server.
    page.locator("#footer-subscribe-email").evaluate("el => el.type = 'text'")
    page.fill("#footer-subscribe-email", "not an address")
    page.locator(".footer-subscribe").get_by_role("button", name="Subscribe").click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    assert not Subscription.objects.exists()
    assert smtp.messages == []


@pytest.mark.browser
def test_a_visitor_served_a_cached_page_subscribes_with_its_token(
    live_server,
    page,
    smtp,  # noqa: F811
    settings,
):
    import urllib.request

    from paperboy.papers.models import Paper
    from paperboy.testing import make_entry, make_paper

    settings.PAPERBOY_LIST_CACHE_SECONDS = 300
    make_entry(make_paper(arxiv_id="2510.00001", title="Rendered once"))
    urllib.request.urlopen(f"{live_server.url}/papers").read()  # another visitor: now cached
    Paper.objects.filter(arxiv_id="2510.00001").update(title="Changed since")

    page.goto(f"{live_server.url}/papers")
    expect(page.get_by_text("Rendered once")).to_be_visible()  # the cached copy
    page.fill("#subscribe-email", "cached@example.org")
    page.locator("#subscribe").get_by_role("button", name="Subscribe").click()

    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    assert Subscription.objects.filter(email="cached@example.org").exists()
