"""The Content-Security-Policy in real Chromium: the site's own pages run under it without a
single violation (htmx, KaTeX, the comment editor, the API docs), and a ``javascript:`` link
that slipped past validation does nothing when clicked."""

import re

import pytest
from playwright.sync_api import expect

from paperboy.testing import PASSWORD, make_entry, make_paper


@pytest.fixture
def paper(db):
    paper = make_paper(
        title="Bounds on $\\alpha$-divergences",
        github_repo="https://github.com/example/repo",
        imported_upvotes=3,
    )
    make_entry(paper)
    return paper


@pytest.mark.browser
def test_the_sites_pages_run_under_the_policy_without_violations(live_server, page, paper, alice):
    messages = []
    page.on("console", lambda m: messages.append(m.text))
    page.context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in|Log in", re.I)).click()

    page.goto(f"{live_server.url}/papers")
    card = page.locator("article.card").first
    expect(card.locator(".katex").first).to_be_visible()  # KaTeX ran
    card.get_by_role("button", name=re.compile("Upvote")).click()  # htmx ran
    expect(card.locator(".upvote .count")).to_have_text("4")
    page.goto(f"{live_server.url}{paper.get_absolute_url()}")
    expect(page.locator(".katex").first).to_be_visible()
    page.goto(f"{live_server.url}/papers/search?q=divergences")
    expect(page.locator("article.card").first).to_be_visible()
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".swagger-ui .info").first).to_be_visible()

    violations = [m for m in messages if "CSP violation" in m or "Content Security" in m]
    assert violations == []


@pytest.mark.browser
def test_a_javascript_link_that_slipped_through_does_nothing(live_server, page, paper):
    page.goto(f"{live_server.url}{paper.get_absolute_url()}")
    page.evaluate(
        """() => {
        const a = document.createElement('a');
        a.href = 'javascript:window.pwned = 1';
        a.id = 'evil';
        a.textContent = 'project page';
        document.body.prepend(a);
    }"""
    )
    page.locator("#evil").click()
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.pwned") is None
