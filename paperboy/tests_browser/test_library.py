"""A member's library in real Chromium, at phone and desktop widths: save a paper from a card,
mark it read and write a note on /library, create a public collection and reorder it, all
without a page reload. Screenshots of /library and the collection page go to /tmp/shots/."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from paperboy.library import services
from paperboy.library.models import Collection, SavedPaper
from paperboy.testing import PASSWORD, make_entry, make_paper

SHOTS = Path("/tmp/shots")
WIDTHS = {"phone": 390, "desktop": 1280}


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page.locator(".username")).to_have_text(username)


@pytest.fixture
def shelf(db):
    titles = [
        "Sparse Routing for Long Contexts",
        r"Scaling Laws for \emph{Retrieval} Heads",
        "Attention Sinks Revisited",
    ]
    papers = [make_paper(title=t, github_repo="https://github.com/example/x") for t in titles]
    for paper in papers:
        make_entry(paper)
    return papers


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_save_read_note_and_a_reordered_public_collection(live_server, page, alice, shelf, width):
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    sign_in(page, live_server, "alice")
    first, second, third = shelf

    # Save from a card on the daily list: the toggle turns on, the page stays.
    page.goto(f"{live_server.url}/papers")
    page.evaluate("window.__same_page = true")
    card = page.locator(f"#paper-{first.pk}")
    card.get_by_role("button", name="Save").click()
    expect(card.get_by_role("button", name="Saved")).to_have_attribute("aria-pressed", "true")
    page.locator(f"#paper-{third.pk}").get_by_role("button", name="Save").click()
    expect(page.locator(f"#paper-{third.pk}").get_by_role("button", name="Saved")).to_be_visible()
    assert page.evaluate("window.__same_page") is True
    assert SavedPaper.objects.filter(member=alice).count() == 2

    # The reading list: mark one read, write a note (escaped), without a reload.
    page.goto(f"{live_server.url}/library")
    page.evaluate("window.__same_page = true")
    row = page.locator(f"#saved-{first.pk}")
    row.get_by_role("button", name="Mark as read").click()
    expect(row.locator(".read-toggle button")).to_have_attribute("aria-pressed", "true")
    row.get_by_text("Add a note").click()
    row.get_by_label("Your private note on this paper").fill("Read §3 first <b>twice</b>")
    row.get_by_role("button", name="Save note").click()
    expect(row.get_by_role("status")).to_have_text("Note saved.")
    expect(row.locator(".note-text")).to_contain_text("Read §3 first <b>twice</b>")
    assert page.evaluate("window.__same_page") is True
    saved = SavedPaper.objects.get(member=alice, paper=first)
    assert saved.read and saved.note == "Read §3 first <b>twice</b>"
    page.goto(f"{live_server.url}/library?read=unread")
    expect(page.locator(".lib-row")).to_have_count(1)
    page.goto(f"{live_server.url}/library")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=SHOTS / f"library-{width}.png", full_page=True)

    # A public collection with three papers, reordered.
    page.goto(f"{live_server.url}/collections")
    page.get_by_label("Title").fill("Long context, week 3")
    page.get_by_label("Description").fill("What we read before the Thursday meeting.")
    page.locator("input[name=public]").check()
    page.get_by_role("button", name="Create collection").click()
    expect(page.locator("h1")).to_have_text("Long context, week 3")
    for paper in shelf:
        page.get_by_label("arXiv id or link of a paper to add").fill(paper.arxiv_id)
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.locator(f"#item-{paper.pk}")).to_be_visible()
    page.evaluate("window.__same_page = true")
    page.locator(f"#item-{first.pk} button[title='Move down']").click()
    expect(page.locator(".lib-row").first).to_have_attribute("id", f"item-{second.pk}")
    page.locator(f"#item-{third.pk} button[title='Move up']").click()
    expect(page.locator(".lib-row").nth(1)).to_have_attribute("id", f"item-{third.pk}")
    assert page.evaluate("window.__same_page") is True
    collection = Collection.objects.get(member=alice)
    assert collection.public
    assert list(collection.items.in_order().values_list("paper_id", flat=True)) == [
        second.pk,
        third.pk,
        first.pk,
    ]
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=SHOTS / f"collection-{width}.png", full_page=True)

    # A visitor sees it, in that order, with its feed linked.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{collection.get_absolute_url()}")
    expect(page.locator(".lib-row").first).to_have_attribute("id", f"item-{second.pk}")
    expect(page.get_by_role("link", name="RSS")).to_be_visible()
    expect(page.locator("button[title='Move down']")).to_have_count(0)


@pytest.mark.browser
def test_the_cached_reading_list_shows_each_change_and_an_org_page_loads_its_collections(
    live_server, page, settings, alice, shelf, example_lab
):
    """With pages cached (members' own copies, visitors' pages): a change made with htmx shows
    on the next load of /library, and an organization's page fills in its collections."""
    settings.PAPERBOY_LIST_CACHE_SECONDS = 300
    for paper in shelf:
        services.save(member=alice, paper=paper)
    services.create_collection(by=alice, title="Lab picks", public=True, organization=example_lab)
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/library")
    page.reload()  # from alice's copy
    row = page.locator(f"#saved-{shelf[0].pk}")
    row.get_by_role("button", name="Mark as read").click()
    expect(row.locator(".read-toggle button")).to_have_attribute("aria-pressed", "true")
    row.get_by_text("Add a note").click()
    row.get_by_label("Your private note on this paper").fill("Cached, then changed")
    row.get_by_role("button", name="Save note").click()
    expect(row.get_by_role("status")).to_have_text("Note saved.")

    page.reload()

    expect(row.locator(".read-toggle button")).to_have_attribute("aria-pressed", "true")
    expect(row.locator(".note-text")).to_contain_text("Cached, then changed")
    page.goto(f"{live_server.url}/example-lab/papers")
    expect(page.locator(".owner-collections .collection-title")).to_have_text("Lab picks")
