"""A member served the visitors' cached pages with their own parts filled in (lib/pagecache.py),
in real Chromium: their menu, their votes, forms that work with their CSRF token, their own
comment's controls; a visitor afterwards sees none of it."""

import re
import urllib.request

import pytest
from playwright.sync_api import expect

from paperboy.feed import votes
from paperboy.feed.models import Upvote
from paperboy.papers.models import Paper
from paperboy.testing import PASSWORD, make_entry, make_paper


@pytest.mark.browser
def test_a_member_reads_votes_and_comments_on_cached_pages(live_server, page, settings, alice):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 300
    first = make_paper(arxiv_id="2510.30001", title="A paper alice upvoted", imported_upvotes=3)
    second = make_paper(arxiv_id="2510.30002", title="A paper she has not", imported_upvotes=1)
    for paper in (first, second):
        make_entry(paper)
    votes.upvote(user_id=alice.pk, paper_id=first.pk)
    for url in ("/papers", "/papers/2510.30001"):  # a visitor came first: both are cached
        urllib.request.urlopen(f"{live_server.url}{url}").read()
    Paper.objects.filter(pk=second.pk).update(title="Retitled since")

    page.goto(f"{live_server.url}/accounts/login/?next=/papers")
    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()

    expect(page.locator(".username")).to_have_text("alice")
    expect(page.get_by_text("A paper she has not")).to_be_visible()  # served the copy
    upvoted = page.locator(f"#paper-{first.pk} .upvote button")
    other = page.locator(f"#paper-{second.pk} .upvote button")
    expect(upvoted).to_have_attribute("aria-pressed", "true")
    expect(other).to_have_attribute("aria-pressed", "false")
    other.click()  # htmx, with the token the served page carries
    expect(page.locator(f"#paper-{second.pk} .upvote button")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert Upvote.objects.filter(user=alice, paper=second).exists()
    page.reload()  # the cached copy again: her new vote and its count at once
    expect(page.locator(f"#paper-{second.pk} .upvote button")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator(f"#paper-{second.pk} .upvote .count")).to_have_text("2")

    page.goto(f"{live_server.url}/papers/2510.30001")
    page.fill("#comment-new", "Served from the cache, posted by me")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator("#comments-title")).to_have_text("1 comment")
    page.reload()
    mine = page.locator(".comment").first
    expect(mine.locator("summary", has_text="Edit")).to_be_visible()
    expect(mine.get_by_role("button", name="Delete")).to_be_visible()
    expect(page.locator(".paper-actions .upvote button")).to_have_attribute("aria-pressed", "true")

    page.locator(".username").click()
    page.get_by_role("button", name="Sign out").click()  # the menu's form, her token
    page.goto(f"{live_server.url}/papers/2510.30001")
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()
    expect(page.locator(".username")).to_have_count(0)
    expect(page.locator(".comment").first.locator("summary", has_text="Edit")).to_have_count(0)
    expect(page.locator("#comment-new")).to_have_count(0)
