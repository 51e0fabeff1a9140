"""What a reader looks for, in real Chromium at phone and desktop widths: every list page's
RSS/Atom links (visible and in <head>), the system's dark mode, the date chip's date picker,
"Submitted by" on cards and the paper page, bold and italic LaTeX text in abstracts.

Screenshots of each width and theme go to /tmp/shots/ for a person to look at."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from paperboy.feed.models import DailyEntry
from paperboy.papers.models import Organization
from paperboy.testing import make_entry, make_paper, make_user

SHOTS = Path("/tmp/shots")
WIDTHS = {"phone": 390, "desktop": 1280}
STYLED = (
    r"We \textbf{prove} that sparse routing matches dense attention and \emph{halves} the "
    r"memory of a $k$-token context, with \textit{no} loss on ``long'' inputs --- "
    r"\textbf{<img src=x onerror=window.__pwned=1>} stays text."
)


@pytest.fixture
def reading(db):
    today = timezone.localdate()
    lab = Organization.objects.create(slug="tau", name="Tel Aviv University")
    alice = make_user("alice")
    styled = make_paper(
        title=r"Routing Tokens \emph{Sparsely} for Long Contexts",
        abstract=STYLED,
        github_repo="https://github.com/example/sparse",
        github_stars=321,
        imported_upvotes=14,
        organization=lab,
    )
    make_entry(styled, today, submitted_by=alice)
    imported = make_paper(title="A paper someone on Hugging Face submitted", imported_upvotes=3)
    entry = make_entry(imported, today)
    DailyEntry.objects.filter(pk=entry.pk).update(external_submitter="akhaliq")
    make_entry(make_paper(title="Yesterday's paper"), today - timedelta(days=1))
    return styled


def _luminance(css_color: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", css_color)[:3])

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(fg: str, bg: str) -> float:
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _style(page, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, f"el => getComputedStyle(el).{prop}")


@pytest.mark.browser
def test_every_list_page_links_its_feeds_visibly_and_in_its_head(live_server, page, reading):
    today = timezone.localdate()
    pages = {
        "/papers": "/feeds/daily.rss",
        f"/papers/date/{today}": f"/feeds/date/{today}.rss",
        f"/papers/week/{today:%G-W%V}": f"/feeds/week/{today:%G-W%V}.rss",
        f"/papers/month/{today:%Y-%m}": f"/feeds/month/{today:%Y-%m}.rss",
        "/papers/trending": "/feeds/trending.rss",
        "/tau/papers": "/feeds/org/tau.rss",
        "/papers/search?q=sparse+routing": "/feeds/search.rss?q=sparse+routing",
    }
    for width in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": 900})
        for url, rss in pages.items():
            page.goto(live_server.url + url)
            links = page.locator(".feed-links")
            expect(links.get_by_role("link", name="RSS")).to_be_visible()
            expect(links.get_by_role("link", name="Atom")).to_be_visible()
            assert links.get_by_role("link", name="RSS").get_attribute("href") == rss, url
            atom = links.get_by_role("link", name="Atom").get_attribute("href")
            assert atom == rss.replace(".rss", ".atom"), url
            head = page.locator(f'head link[rel="alternate"][href="{rss}"]')
            assert head.get_attribute("type") == "application/rss+xml", url
            assert page.locator(f'head link[rel="alternate"][href="{atom}"]').count() == 1
    response = page.request.get(live_server.url + "/feeds/org/tau.rss")
    assert response.ok and "Routing Tokens" in response.text()


@pytest.mark.browser
def test_the_site_follows_the_system_dark_mode_and_stays_readable(live_server, page, reading):
    SHOTS.mkdir(exist_ok=True)
    seen = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for name, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 1100})
            for label, url in (("list", "/papers"), ("paper", reading.get_absolute_url())):
                page.goto(live_server.url + url)
                page.screenshot(path=str(SHOTS / f"{label}-{name}-{scheme}.png"), full_page=True)
            page.goto(live_server.url + "/papers")
            background = _style(page, "body", "backgroundColor")
            card = _style(page, "article.card", "backgroundColor")
            # Text against what it sits on: WCAG AA (4.5) for the abstract, the title, the
            # muted meta line, links and the feed links.
            for selector in (
                ".card .abstract",
                ".card-title a",
                ".card-meta time",
                ".card-meta .submitter a",
                ".list-head .muted",
                ".feed-links a",
            ):
                color = _style(page, selector, "color")
                behind = card if ".card" in selector else background
                assert _contrast(color, behind) >= 4.5, (scheme, name, selector, color, behind)
            seen[scheme] = _luminance(background)
    assert seen["light"] > 0.8 and seen["dark"] < 0.05


@pytest.mark.browser
def test_the_date_chip_opens_the_date_picker_and_goes_to_the_chosen_day(live_server, page, reading):
    page.add_init_script(
        "window.__pickers = 0;"
        "HTMLInputElement.prototype.showPicker = function () { window.__pickers += 1; };"
    )
    today = timezone.localdate()
    for width in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/papers/date/{today}")
        chip = page.locator(".chip-date")
        expect(chip).to_be_visible()
        chip.click()
        assert page.evaluate("window.__pickers") == 1
        picker = page.locator(".chip-date input[type=date]")
        assert picker.get_attribute("value") == today.isoformat()
        assert picker.get_attribute("max") == today.isoformat()
    day = today - timedelta(days=1)
    picker.evaluate(
        "(el, day) => { el.value = day; el.dispatchEvent(new Event('change', {bubbles: true})); }",
        day.isoformat(),
    )
    expect(page).to_have_url(re.compile(f"/papers/date/{day}$"))
    # On a week page the chosen day opens its ISO week (a year's first days may be in the
    # last week of the year before).
    page.goto(f"{live_server.url}/papers/week/{today:%G-W%V}")
    new_year = date(2027, 1, 1)
    iso = new_year.isocalendar()
    page.locator(".chip-date input[type=date]").evaluate(
        "(el, day) => { el.value = day; el.dispatchEvent(new Event('change', {bubbles: true})); }",
        new_year.isoformat(),
    )
    expect(page).to_have_url(re.compile(f"/papers/week/{iso.year}-W{iso.week:02d}$"))


@pytest.mark.browser
def test_cards_and_the_paper_page_say_who_submitted_the_paper(live_server, page, reading):
    for width in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/papers")
        styled = page.locator("article.card", has_text="Routing Tokens")
        expect(styled.locator(".submitter")).to_have_text("Submitted by alice")
        expect(styled.get_by_role("link", name="alice")).to_have_attribute("href", "/u/alice")
        imported = page.locator("article.card", has_text="Hugging Face submitted")
        expect(imported.locator(".submitter")).to_have_text("Submitted by akhaliq")
        unsubmitted = page.locator("article.card", has_text="Yesterday's paper")
        expect(unsubmitted.locator(".submitter")).to_have_count(0)
    page.goto(live_server.url + reading.get_absolute_url())
    expect(page.locator(".featured .submitter")).to_have_text("Submitted by alice")


@pytest.mark.browser
def test_bold_and_italic_latex_in_abstracts_render_and_markup_stays_text(
    live_server, page, reading
):
    for width in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": 900})
        for url in ("/papers", reading.get_absolute_url(), "/papers/search?q=sparse+routing"):
            page.goto(live_server.url + url)
            abstract = page.locator(".abstract, .paper-abstract .prose").first
            expect(abstract.locator("strong").first).to_have_text("prove")
            expect(abstract.locator("em").first).to_have_text("halves")
            expect(abstract.locator(".katex").first).to_be_visible()  # $k$ still typeset
            text = abstract.inner_text()
            assert "\\textbf" not in text and "\\emph" not in text, url
            assert "“long”" in text and "—" in text, url
            assert "<img src=x onerror=window.__pwned=1>" in text, url
            assert abstract.locator("img").count() == 0
            assert page.evaluate("window.__pwned === undefined"), url
            title = page.locator(".card-title, .paper-title").first
            expect(title.locator("em")).to_have_text("Sparsely")
