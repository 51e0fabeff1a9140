"""A newcomer's first visit in real Chromium: read the daily list, move between days, sign up,
verify the email, submit a paper, upvote it and take the upvote back."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from paperboy.testing import PASSWORD, deliver_queued_mail, make_entry, make_paper


@pytest.fixture
def two_days(db):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    make_entry(make_paper(title="Today's paper about sparse retrieval", imported_upvotes=7), today)
    make_entry(make_paper(title="Yesterday's paper on $\\alpha$-divergences"), yesterday)
    fresh = make_paper(
        title="A fresh paper nobody submitted yet",
        published_at=timezone.now() - timedelta(days=2),
    )
    return today, yesterday, fresh


@pytest.mark.browser
def test_a_newcomer_reads_signs_up_submits_and_upvotes(live_server, page, two_days):
    today, yesterday, fresh = two_days

    # The daily list, and the day before it through the date chip.
    page.goto(f"{live_server.url}/papers")
    expect(page.get_by_role("heading", name="Today's paper about sparse retrieval")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Previous")).click()
    expect(page).to_have_url(re.compile(f"/papers/date/{yesterday.isoformat()}$"))
    expect(page.locator(".card-title .katex").first).to_be_visible()  # $\alpha$ is typeset
    page.get_by_role("link", name="Week", exact=True).click()
    # Yesterday's week: today's paper is on it too unless today starts a new ISO week.
    same_week = yesterday.isocalendar()[:2] == today.isocalendar()[:2]
    expect(page.locator("article.card")).to_have_count(2 if same_week else 1)

    # Sign up; the confirmation link arrives by email.
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=email]", "dana@example.org")
    page.fill("input[name=username]", "dana")
    page.fill("input[name=password1]", "a long and unusual passphrase")
    page.fill("input[name=password2]", "a long and unusual passphrase")
    page.get_by_role("button", name=re.compile("Sign up", re.I)).click()
    expect(page.get_by_text(re.compile("verify", re.I)).first).to_be_visible()
    assert not mail.outbox  # queued for the mail worker, not sent by the request
    assert deliver_queued_mail() == 1
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[0].body).group(0)
    page.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()

    # Submit a paper from the catalog to today's list.
    # Confirming in the browser that signed up also signs in.
    page.goto(f"{live_server.url}/papers/submit")
    expect(page).to_have_url(f"{live_server.url}/papers/submit")
    page.fill("input[name=arxiv_id]", f"https://arxiv.org/abs/{fresh.arxiv_id}v1")
    page.get_by_role("button", name=re.compile("Submit", re.I)).click()
    expect(page).to_have_url(re.compile("/papers$"))
    card = page.locator("article.card", has_text="A fresh paper nobody submitted yet")
    expect(card).to_be_visible()

    # Upvote it: the count appears; take it back: the count is hidden again.
    count = card.locator(".upvote .count")
    expect(count).to_have_text("")
    card.get_by_role("button", name=re.compile("Upvote")).click()
    expect(count).to_have_text("1")
    card.get_by_role("button", name=re.compile("Upvoted|Remove")).click()
    expect(card.locator(".upvote .count")).to_have_text("")
    fresh.refresh_from_db()
    assert fresh.upvotes_count == 0


@pytest.mark.browser
def test_an_anonymous_upvote_asks_to_sign_in_and_comes_back(live_server, page, two_days, alice):
    page.goto(f"{live_server.url}/papers")
    card = page.locator("article.card", has_text="Today's paper about sparse retrieval")
    expect(card.locator(".upvote .count")).to_have_text("7")
    card.get_by_role("link", name=re.compile("Upvote")).click()

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/papers$"))
    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page).to_have_url(f"{live_server.url}/papers")
    card.get_by_role("button", name=re.compile("Upvote")).click()
    expect(card.locator(".upvote .count")).to_have_text("8")
