"""RSS and Atom feeds under /feeds/: every list, an organization, a search, "for you"."""

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django_tasks_db.models import DBTaskResult

from paperboy.accounts.tokens import ApiToken
from paperboy.feed.models import DailyEntry
from paperboy.lib.query import MAX_QUERY_CHARS
from paperboy.testing import make_entry, make_paper

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def listed(db, example_lab):
    a = make_paper(arxiv_id="2501.00101", title="Most upvoted", imported_upvotes=3)
    b = make_paper(arxiv_id="2501.00102", title="Tagged", organization=example_lab)
    c = make_paper(arxiv_id="2501.00103", title="Next day", categories=["cs.CV"])
    return [
        make_entry(a, date(2025, 1, 15)),
        make_entry(b, date(2025, 1, 15)),
        make_entry(c, date(2025, 1, 16)),
    ]


class _Reader(HTMLParser):
    """What a feed reader makes of a text it takes as HTML: the elements it would build and
    the text it would show."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[str] = []
        self.shown: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.elements.append(tag)

    def handle_data(self, data) -> None:
        self.shown.append(data)


def as_html(text: str | None) -> tuple[str, set[str]]:
    """The text a reader shows for ``text`` taken as HTML, and the elements it builds."""
    reader = _Reader()
    reader.feed(text or "")
    reader.close()
    return "".join(reader.shown), set(reader.elements)


def rss_titles(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    return [as_html(i.findtext("title"))[0] for i in root.iter("item")]


def atom_titles(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]


def test_the_daily_feed_is_the_latest_day(client, listed):
    assert rss_titles(client.get("/feeds/daily.rss")) == ["Next day"]
    assert atom_titles(client.get("/feeds/daily.atom")) == ["Next day"]


def test_a_day_week_and_month_feed_in_the_page_s_order(client, listed):
    assert rss_titles(client.get("/feeds/date/2025-01-15.rss")) == ["Most upvoted", "Tagged"]
    assert len(rss_titles(client.get("/feeds/week/2025-W03.rss"))) == 3
    assert len(atom_titles(client.get("/feeds/month/2025-01.atom"))) == 3


def test_items_link_to_the_paper_page_and_carry_the_abstract(client, listed):
    # Links are on PAPERBOY_SITE_URL whichever host name fetched the feed (here "testserver").
    root = ET.fromstring(client.get("/feeds/date/2025-01-15.rss").content)
    item = next(root.iter("item"))
    assert item.findtext("link") == "http://127.0.0.1:8000/papers/2501.00101"  # SITE_URL
    assert item.findtext("guid") == item.findtext("link")
    description, _ = as_html(item.findtext("description"))
    assert description.startswith("We study sparse attention")
    assert "3 upvotes" in description
    assert item.findtext("pubDate").startswith("Wed, 15 Jan 2025 09:00:00")


def test_the_current_week_and_month_feeds_answer(client, listed):
    assert client.get("/feeds/week.rss").status_code == 200
    assert client.get("/feeds/month.atom").status_code == 200


def test_the_trending_feed(client, listed):
    DailyEntry.objects.filter(pk=listed[1].pk).update(trending_score=1e9)
    assert rss_titles(client.get("/feeds/trending.rss"))[0] == "Tagged"


def test_an_organization_feed(client, listed):
    assert rss_titles(client.get("/feeds/org/example-lab.rss")) == ["Tagged"]
    assert client.get("/feeds/org/nobody.rss").status_code == 404


def test_a_search_feed_uses_the_search_engine(client, listed, monkeypatch):
    from paperboy.api.tests.fakes import fake_search

    calls = []
    fake_search(monkeypatch, [listed[2].paper], calls)
    assert rss_titles(client.get("/feeds/search.rss?q=video")) == ["Next day"]
    assert calls == [{"query": "video", "limit": 50}]
    assert client.get("/feeds/search.rss").status_code == 404
    assert client.get("/feeds/search.atom?q=" + "x" * (MAX_QUERY_CHARS + 1)).status_code == 404


@pytest.mark.parametrize("url", ["/feeds/date/2025-13-01.rss", "/feeds/week/2025-W99.atom"])
def test_bad_periods_are_a_404(client, url):
    assert client.get(url).status_code == 404


def test_every_page_links_its_feeds(client, listed):
    html = client.get("/papers/week/2025-W03").content.decode()
    assert 'rel="alternate" type="application/rss+xml"' in html
    assert 'href="/feeds/daily.rss"' in html
    assert 'href="/feeds/week/2025-W03.rss"' in html
    assert 'href="/feeds/week/2025-W03.atom"' in html
    assert (
        'href="/feeds/org/example-lab.atom"' in client.get("/example-lab/papers").content.decode()
    )
    paper_page = client.get("/papers/2501.00101").content.decode()
    assert 'type="text/markdown"' in paper_page
    assert 'href="/papers/2501.00101.md"' in paper_page


RSS_FEEDS = [
    "/feeds/daily.rss",
    "/feeds/date/2025-01-15.rss",
    "/feeds/week/2025-W03.rss",
    "/feeds/month/2025-01.rss",
    "/feeds/trending.rss",
    "/feeds/org/example-lab.rss",
    "/feeds/search.rss?q=sparse+attention",
]


def absolute(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@pytest.fixture
def every_feed(listed, alice, client, django_capture_on_commit_callbacks):
    """Every kind of feed, the private one included, each with at least one item."""
    plaintext = ApiToken.issue(user=alice, name="feed", scope=ApiToken.Scope.FEED)[1]
    # For you (trending, without signals) lists recent papers: one published today.
    recent = make_paper(arxiv_id="2501.00109", title="Recent", published_at=datetime.now(UTC))
    make_entry(recent, date.today())
    for_you = f"/feeds/for-you/{plaintext}.rss"
    # Its papers are picked by the task worker (the first read asks for them): run it.
    with django_capture_on_commit_callbacks(execute=True):
        client.get(for_you)
    for result in DBTaskResult.objects.ready():
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        result.delete()
    return RSS_FEEDS + [for_you]


def test_every_rss_feed_is_valid_rss_2_0(client, every_feed, monkeypatch):
    from paperboy.api.tests.fakes import fake_search

    fake_search(monkeypatch, [e.paper for e in DailyEntry.objects.all()])
    for url in every_feed:
        response = client.get(url)
        assert response.status_code == 200, url
        root = ET.fromstring(response.content)
        assert root.tag == "rss" and root.get("version") == "2.0", url
        channel = root.find("channel")
        for required in ("title", "link", "description"):
            assert channel.findtext(required), (url, required)
        assert absolute(channel.findtext("link")), url
        self_link = channel.find("{http://www.w3.org/2005/Atom}link")
        assert self_link.get("rel") == "self" and absolute(self_link.get("href")), url
        parsedate_to_datetime(channel.findtext("lastBuildDate"))
        items = channel.findall("item")
        assert items, url
        for item in items:
            assert item.findtext("title") and item.findtext("description"), url
            assert absolute(item.findtext("link")), url
            assert absolute(item.findtext("guid")), url
            published = parsedate_to_datetime(item.findtext("pubDate"))
            assert published.tzinfo is not None, url


def test_every_atom_feed_is_valid_atom(client, every_feed, monkeypatch):
    from paperboy.api.tests.fakes import fake_search

    fake_search(monkeypatch, [e.paper for e in DailyEntry.objects.all()])
    for url in every_feed:
        url = url.replace(".rss", ".atom")
        response = client.get(url)
        assert response.status_code == 200, url
        root = ET.fromstring(response.content)
        assert root.tag == f"{ATOM}feed", url
        assert root.findtext(f"{ATOM}title") and root.findtext(f"{ATOM}id"), url
        datetime.fromisoformat(root.findtext(f"{ATOM}updated"))
        links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
        assert absolute(links["alternate"]) and absolute(links["self"]), url
        entries = root.findall(f"{ATOM}entry")
        assert entries, url
        for entry in entries:
            assert entry.findtext(f"{ATOM}title"), url
            assert absolute(entry.findtext(f"{ATOM}id")), url
            assert absolute(entry.find(f"{ATOM}link").get("href")), url
            assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name"), url
            assert datetime.fromisoformat(entry.findtext(f"{ATOM}updated")).tzinfo, url
            assert datetime.fromisoformat(entry.findtext(f"{ATOM}published")).tzinfo, url


@pytest.mark.parametrize(
    ("page", "own_feed"),
    [
        ("/papers", None),
        ("/papers/date/2025-01-15", "/feeds/date/2025-01-15.rss"),
        ("/papers/month/2025-01", "/feeds/month/2025-01.rss"),
        ("/papers/trending", "/feeds/trending.rss"),
        ("/example-lab/papers", "/feeds/org/example-lab.rss"),
        ("/papers/search?q=sparse", "/feeds/search.rss?q=sparse"),
        ("/papers/2501.00101", None),
        ("/digests/subscribe", None),
    ],
)
def test_every_page_advertises_the_daily_feed_and_its_own(client, listed, page, own_feed):
    response = client.get(page)
    assert response.status_code == 200, page
    html = response.content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/feeds/daily.rss"' in html and 'href="/feeds/daily.atom"' in html
    if own_feed:
        assert f'href="{own_feed}"' in html
        assert f'href="{own_feed.replace(".rss", ".atom")}"' in html
        assert client.get(own_feed).status_code == 200


# --- text is shown as typed, never run --------------------------------------------------------

ORG_NAME = "Evil <img src=x onerror=alert(1)> & Co"
TITLE = "Q&A <img src=x onerror=alert(2)>: 1 < 2"
ABSTRACT = "<script>alert(3)</script> We show that 1 < 2 & 3 > 2.\n\nA second paragraph."
AUTHOR = "Eve <script>alert(4)</script>"


@pytest.fixture
def hostile(db):
    from paperboy.accounts.models import Organization

    org = Organization.objects.create(slug="evil-lab", name=ORG_NAME)
    paper = make_paper(
        arxiv_id="2501.00201", title=TITLE, abstract=ABSTRACT, authors=[AUTHOR], organization=org
    )
    make_entry(paper, date(2025, 1, 15))
    return org


def test_rss_carries_markup_typed_in_text_as_text_a_reader_shows(client, hostile):
    # RSS readers take the description, and in practice titles and authors, as HTML.
    channel = ET.fromstring(client.get("/feeds/org/evil-lab.rss").content).find("channel")
    assert as_html(channel.findtext("title")) == (f"Paperboy: papers from {ORG_NAME}", set())
    assert as_html(channel.findtext("description"))[1] <= {"p"}
    item = channel.find("item")
    assert as_html(item.findtext("title")) == (TITLE, set())
    creator = item.findtext("{http://purl.org/dc/elements/1.1/}creator")
    assert as_html(creator) == (AUTHOR, set())
    shown, elements = as_html(item.findtext("description"))
    assert elements == {"p"}  # the paragraphs, nothing the text typed
    assert shown.startswith("<script>alert(3)</script> We show that 1 < 2 & 3 > 2.")
    assert f"· {ORG_NAME} ·" in shown


def test_atom_carries_text_as_text_and_the_summary_as_escaped_html(client, hostile):
    root = ET.fromstring(client.get("/feeds/org/evil-lab.atom").content)
    # Atom titles and names are text constructs (no type: "text"), shown as they are.
    assert root.find(f"{ATOM}title").get("type", "text") == "text"
    assert root.findtext(f"{ATOM}title") == f"Paperboy: papers from {ORG_NAME}"
    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").get("type", "text") == "text"
    assert entry.findtext(f"{ATOM}title") == TITLE
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == AUTHOR
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    shown, elements = as_html(summary.text)
    assert elements == {"p"}
    assert shown.startswith("<script>alert(3)</script> We show that 1 < 2 & 3 > 2.")
    assert "A second paragraph." in shown and ORG_NAME in shown
