"""The pages as a reader sees them in Chromium: nothing wider than a phone, abstracts clamped
to three lines until "Show more", and their math typeset by KaTeX."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from paperboy.papers.models import Organization
from paperboy.testing import make_entry, make_paper

LONG_ABSTRACT = " ".join(
    ["We bound the $\\alpha$-divergence of $p_\\theta$ from $q$ by $\\sum_i w_i^2$."] * 12
    + ["An unbreakable token: " + "x" * 120 + "."]
)


@pytest.fixture
def listed(db):
    lab = Organization.objects.create(slug="tau", name="Tel Aviv University")
    paper = make_paper(
        title="Divergences with a rather long title that has to wrap on a phone screen",
        abstract=LONG_ABSTRACT,
        github_repo="https://github.com/example/divergences",
        github_stars=1234,
        imported_upvotes=12,
        organization=lab,
    )
    make_entry(paper, timezone.localdate())
    short = make_paper(title="A paper said in one line", abstract="We show that $x = 1$.")
    make_entry(short, timezone.localdate())
    return paper


@pytest.mark.browser
def test_no_page_is_wider_than_a_phone(live_server, page, listed):
    page.set_viewport_size({"width": 390, "height": 844})
    today = timezone.localdate()
    urls = [
        "/papers",
        f"/papers/date/{today - timedelta(days=3)}",  # an empty day
        f"/papers/week/{today:%G-W%V}",
        f"/papers/month/{today:%Y-%m}",
        "/papers/trending",
        f"/papers/{listed.arxiv_id}",
        "/tau/papers",
        "/papers/date/2025-13-01",  # a 404
    ]
    for url in urls:
        page.goto(live_server.url + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} is {width}px wide on a 390px phone"


@pytest.mark.browser
def test_show_more_unclamps_the_abstract_with_its_math_typeset(live_server, page, listed):
    page.goto(f"{live_server.url}/papers")
    card = page.locator("article.card", has_text="Divergences with a rather long title")
    abstract = card.locator(".abstract")
    expect(abstract.locator(".katex").first).to_be_visible()
    clamped = abstract.bounding_box()["height"]
    assert abstract.evaluate("el => el.scrollHeight > el.clientHeight")  # three lines shown

    card.locator("label.more").click()

    assert abstract.bounding_box()["height"] > 2 * clamped
    assert abstract.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
    assert (
        card.locator("label.more").evaluate("el => getComputedStyle(el, '::after').content")
        == '"Show less"'
    )
    expect(card.get_by_title("GitHub stars")).to_have_text("★ 1234")


@pytest.mark.browser
def test_an_abstract_that_fits_has_no_show_more(live_server, page, listed):
    page.goto(f"{live_server.url}/papers")
    short = page.locator("article.card", has_text="A paper said in one line")
    long = page.locator("article.card", has_text="Divergences with a rather long title")

    expect(short.locator(".abstract .katex")).to_be_visible()
    expect(short.locator("label.more")).to_be_hidden()
    expect(long.locator("label.more")).to_be_visible()


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_the_account_menu_opens_reaches_every_account_page_and_closes(live_server, page, width):
    from paperboy.testing import PASSWORD, make_user

    make_user("ada")
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "ada")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server.url}/papers")
    brand, account = page.locator(".brand").bounding_box(), page.locator("summary").bounding_box()
    middle = lambda box: box["y"] + box["height"] / 2  # noqa: E731
    assert abs(middle(brand) - middle(account)) < 8, "the account links sit beside the brand"
    menu = page.locator(".account-menu .menu")
    expect(menu).to_be_hidden()
    page.locator("summary.username").click()
    for name in ("Your profile", "Email digests", "API tokens and private feeds"):
        expect(menu.get_by_role("link", name=name)).to_be_visible()
    # "Following" is a header link on a desktop and a menu item on a phone: never both.
    expect(page.get_by_role("link", name="Following", exact=True)).to_have_count(1)
    expect(menu.get_by_role("button", name="Sign out")).to_be_visible()
    page.mouse.click(5, 500)  # outside: it closes
    expect(menu).to_be_hidden()
    page.locator("summary.username").click()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    if width < 640:
        page.locator("summary.username").click()
        menu.get_by_role("link", name="Following").click()
    else:
        page.locator(".account-nav > .following-link").click()
    expect(page).to_have_url(f"{live_server.url}/following")
