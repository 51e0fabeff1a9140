"""For you in real Chromium, at phone and desktop widths: the cards with their reasons, "Not
interested" removing a card at once (htmx) and for good. Screenshots go to /tmp/shots."""

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from paperboy.feed import votes
from paperboy.foryou import engine
from paperboy.foryou.models import Dismissal
from paperboy.foryou.tasks import train_member
from paperboy.foryou.tests.conftest import topic_vector
from paperboy.search import vectors
from paperboy.search.embeddings import configured_model_id
from paperboy.testing import PASSWORD, make_paper

SHOTS = Path("/tmp/shots")


def graph_papers(alice) -> list:
    """Ten recent papers on graphs (alice upvoted three) and five on speech, with vectors."""
    now = timezone.now()
    made, papers = {}, []
    for topic, count in (("graphs", 10), ("speech", 5)):
        for n in range(count):
            paper = make_paper(
                title=f"{'Message passing on large graphs' if topic == 'graphs' else 'Speech'}"
                f" {n}: a study of $O(n \\log n)$ methods",
                authors=["Ada Lovelace", "Alan Turing"],
                categories=["cs.LG"],
                published_at=now - timezone.timedelta(days=1 + n % 4, hours=n),
            )
            made[paper.pk] = topic_vector(topic, n)
            papers.append(paper)
    vectors.store(configured_model_id(), made)
    for paper in papers[:3]:
        votes.upvote(user_id=alice.pk, paper_id=paper.pk)
    train_member.call(alice.pk)  # the task worker: her model, then her picks
    return papers


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_a_member_dismisses_a_paper_and_it_goes(live_server, page, alice, width):
    engine.forget_windows()
    vectors.forget()
    papers = graph_papers(alice)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/?next=/")
    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()

    # Her home page is For you now that she has upvoted.
    expect(page.get_by_role("heading", name="For you", level=1)).to_be_visible()
    assert page.url.endswith("/for-you")
    cards = page.locator("article.card")
    expect(cards.first).to_be_visible()
    first = cards.first
    title = first.locator(".card-title").inner_text()
    assert "Message passing" in title
    expect(first.locator(".fy-reasons .fy-similar").first).to_contain_text("Like Message passing")
    expect(first.locator(".fy-reasons .katex").first).to_be_visible()  # the titles' math
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"foryou-{width}.png"), full_page=False)
    # Nothing wider than the screen on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    card_id = first.get_attribute("id")
    first.get_by_role("button", name="Not interested").click()
    note = page.locator(f"#{card_id}")
    expect(note).to_contain_text("You won't see it again")
    expect(note.locator(".card-title")).to_have_count(0)
    page.screenshot(path=str(SHOTS / f"foryou-dismissed-{width}.png"), full_page=False)
    pk = int(card_id.removeprefix("paper-"))
    assert Dismissal.objects.filter(member=alice, paper_id=pk).exists()

    page.reload()
    expect(page.locator("article.card").first).to_be_visible()
    expect(page.locator(f"#{card_id}")).to_have_count(0)
    assert pk in {p.pk for p in papers}


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_onboarding_and_alerts_pages_fit_the_screen(live_server, page, alice, example_lab, width):
    from paperboy.foryou.models import SavedSearch
    from paperboy.testing import make_entry

    make_paper(title="A lab paper", organization=example_lab)
    make_entry(make_paper(title="Trending in cs.CL", published_at=timezone.now()))
    SavedSearch.objects.create(member=alice, query="sparse router", filters={"category": "cs.CL"})
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/?next=/for-you/start")
    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page.get_by_role("heading", name="What do you read?")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(SHOTS / f"foryou-start-{width}.png"), full_page=True)
    page.get_by_label(re.compile("cs.CL · Computation and Language")).check()
    page.get_by_role("button", name="Save categories").click()
    expect(page.get_by_role("heading", name="For you", level=1)).to_be_visible()
    # Her first visit: nothing picked yet; the page fills in once the worker has.
    expect(page.get_by_role("heading", name="Picking papers for you…")).to_be_visible()
    train_member.call(alice.pk)  # the task worker (the chosen categories' signal)
    expect(page.locator(".note")).to_contain_text("trending papers in your categories")
    expect(page.locator(".card-title")).to_have_text(["Trending in cs.CL"])

    page.goto(f"{live_server.url}/alerts")
    expect(page.locator(".fy-alert-label")).to_have_text("New on “sparse router” (cs.CL)")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(SHOTS / f"foryou-alerts-{width}.png"), full_page=True)
