"""The community layer in real Chromium: discuss a paper with math, follow an organization,
claim an author and get approved in the admin."""

import re

import pytest
from playwright.sync_api import expect

from paperboy.accounts.models import AuthorClaim
from paperboy.testing import PASSWORD, make_entry, make_paper, make_user


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page.locator(".username")).to_have_text(username)


@pytest.mark.browser
def test_comment_and_reply_with_math_without_a_reload(live_server, page, alice, bob):
    paper = make_paper(arxiv_id="2510.20001", title="A paper worth discussing")
    make_entry(paper)
    # Bob is a verified author of the paper: the comment box offers him as a mention.
    AuthorClaim.objects.create(
        user=bob, paper=paper, author=paper.authors.first(), status="approved"
    )
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/papers/2510.20001")
    page.evaluate("window.__same_page = true")

    page.fill("#comment-new", "The bound $O(n \\log n)$ is **tight**, right")
    page.get_by_role("button", name="@bob").click()  # "Ask the authors: @bob"
    expect(page.locator("#comment-new")).to_have_value(re.compile(r"right @bob $"))
    page.locator("#comment-new").press("End")
    page.keyboard.type("? $\\href{javascript:alert(1)}{click}$")
    page.get_by_role("button", name="Comment", exact=True).click()

    comment = page.locator(".comment").first
    expect(comment.locator(".katex").first).to_be_visible()  # KaTeX typeset the math
    expect(comment.locator("strong")).to_have_text("tight")
    expect(comment.locator("a.mention.author")).to_have_attribute("href", "/u/bob")
    # KaTeX does not trust \href: no javascript: link appears anywhere.
    expect(page.locator("a[href^='javascript' i]")).to_have_count(0)
    expect(page.locator("#comments-title")).to_have_text("1 comment")

    # Reply to it, then reply to the reply.
    comment.locator("summary", has_text="Reply").click()
    comment.get_by_role("textbox", name="Reply to alice").first.fill("Only up to $\\epsilon$.")
    comment.get_by_role("button", name="Reply", exact=True).click()
    reply = page.locator(".comment-list.replies > .comment").first
    expect(reply.locator(".katex")).to_be_visible()
    reply.locator("summary", has_text="Reply").click()
    reply.get_by_role("textbox", name="Reply to alice").first.fill("Agreed.")
    reply.get_by_role("button", name="Reply", exact=True).click()
    expect(page.locator(".replies .replies .comment")).to_have_count(1)
    expect(page.locator("#comments-title")).to_have_text("3 comments")
    assert page.evaluate("window.__same_page") is True  # no page reload happened

    # A refused (empty after trimming) comment shows why, and keeps the page.
    page.fill("#comment-new", "   ")
    page.locator("#comment-new").evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("A comment cannot be empty.")
    paper.refresh_from_db()
    assert paper.comments_count == 3


@pytest.mark.browser
def test_follow_an_organization_and_see_its_papers_under_following(live_server, page, example_lab):
    make_user("dana")  # a reader from elsewhere, with a verified email
    make_paper(title="A paper from Example Lab", organization=example_lab)
    make_paper(title="A paper from nowhere in particular")
    sign_in(page, live_server, "dana")

    page.goto(f"{live_server.url}/example-lab/papers")
    expect(page.locator(".org-counts")).to_contain_text("1 paper")
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("button", name="Following")).to_be_visible()

    page.goto(f"{live_server.url}/following")
    expect(page.get_by_role("heading", name="A paper from Example Lab")).to_be_visible()
    expect(page.get_by_text("A paper from nowhere in particular")).to_have_count(0)
    expect(page.locator(".follow-list")).to_contain_text("Example Lab")


@pytest.mark.browser
def test_claim_an_author_and_get_approved_in_the_admin(live_server, page, alice):
    make_user("mod", is_staff=True, is_superuser=True)
    make_paper(
        arxiv_id="2510.20003", title="Alice's own paper", authors=["Grace Hopper", "Alice Liddell"]
    )

    # Alice claims to be the second author.
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/papers/2510.20003")
    page.get_by_text("Are you an author? Claim authorship").click()
    page.get_by_label("I am").select_option(label="Alice Liddell")
    page.get_by_label(re.compile("Note for the admins")).fill("My homepage lists it.")
    page.get_by_role("button", name="Claim", exact=True).click()
    expect(page.get_by_text("waits for an admin's approval")).to_be_visible()
    page.locator("summary.username").click()  # the account menu
    page.get_by_role("button", name="Sign out").click()

    # A moderator approves it in the admin, saying why.
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "mod")
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[type=submit]").click()
    page.goto(f"{live_server.url}/admin/accounts/authorclaim/?status__exact=pending")
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option("approve")
    page.locator("button[name=index]").click()  # "Run" (Django 6.1) / "Go" (older)
    page.get_by_label("Why? (written to the audit log)").fill("Homepage checked.")
    page.get_by_role("button", name=re.compile("Confirm")).click()
    expect(page.get_by_text("Written to the audit log")).to_be_visible()
    page.goto(f"{live_server.url}/admin/moderation/auditlog/")
    expect(page.get_by_text("Homepage checked.")).to_be_visible()

    # The paper page links the verified author to Alice's profile, which lists the paper.
    page.goto(f"{live_server.url}/papers/2510.20003")
    page.get_by_role("link", name="@alice").click()
    expect(page).to_have_url(f"{live_server.url}/u/alice")
    expect(page.get_by_role("link", name="Alice's own paper")).to_be_visible()
