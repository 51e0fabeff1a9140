"""The digest as a mail client sees it: parsed from what the real SMTP server received."""

import re
from datetime import UTC, datetime

import pytest
import time_machine

from paperboy.digests import sending
from paperboy.digests.models import Delivery
from paperboy.digests.tests.conftest import SEND_DAY, subscribe

NOW = datetime.combine(SEND_DAY, datetime.min.time(), tzinfo=UTC).replace(hour=9)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def send_current():
    return sending.send(sending.current_periods(NOW), now=NOW)


def test_the_digest_has_both_parts_and_list_headers(smtp, papers):
    sub = subscribe("ada@example.org")
    report = send_current()
    assert report.sent == 1
    [mail] = smtp.messages
    msg = mail.message
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["To"] == "ada@example.org"
    assert msg["From"] == "Paperboy <paperboy@localhost>"
    assert msg["Subject"].startswith("Sparse Mixtures of Experts at Scale and 2 more")
    assert "daily, Mon Jan 20, 2025" in msg["Subject"]
    unsubscribe = re.fullmatch(
        r"<(https://papers\.example\.org/digests/unsubscribe/\S+)>", msg["List-Unsubscribe"]
    )
    assert unsubscribe
    # On the wire too: one line with the bare URL, not RFC 2047 encoded-words (a parser with
    # policy.default would decode those and hide the problem; mail providers do not).
    on_the_wire = re.search(rb"^List-Unsubscribe: <([^\s>]+)>\r?$", mail.raw, re.MULTILINE)
    assert on_the_wire and on_the_wire.group(1).decode() == unsubscribe.group(1)
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Message-ID"] == f"<digest-{sub.pk}-daily-2025-01-20@papers.example.org>"

    assert msg["MIME-Version"] == "1.0"
    # Both parts quoted-printable: every line on the wire within RFC 5322's limit.
    assert [p["Content-Transfer-Encoding"] for p in msg.iter_parts()] == ["quoted-printable"] * 2
    assert max(len(line) for line in mail.raw.splitlines()) <= 998
    text, html = mail.text(), mail.html()
    titles = [p.title for p in papers]
    # Trending order: by score, i.e. upvotes here.
    positions = [text.index(t) for t in titles]
    assert positions == sorted(positions)
    assert "▲ 40" in text and "One line about it." in text  # the AI summary
    assert "Example Lab" in text  # the organization
    assert "Retrieval & Reasoning <in> Long Documents" in text  # plain text is not HTML-escaped
    assert "Retrieval &amp; Reasoning &lt;in&gt; Long Documents" in html
    for paper in papers:
        assert f"https://papers.example.org/papers/{paper.arxiv_id}" in text
        assert f'href="https://papers.example.org/papers/{paper.arxiv_id}"' in html
    assert "<script" not in html.lower()
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", html, re.IGNORECASE)  # no onclick= & co.
    assert 'style="' in html  # inline CSS, no stylesheet to lose
    assert "<style" not in html.lower() and "stylesheet" not in html.lower()
    assert unsubscribe.group(1) in text and unsubscribe.group(1) in html
    assert "/digests/manage/" in text
    # What was sent is recorded.
    delivery = Delivery.objects.get()
    assert delivery.status == "sent" and sorted(delivery.paper_ids) == sorted(p.pk for p in papers)


def test_the_unsubscribe_header_works_and_stops_the_next_digest(client, smtp, papers):
    sub = subscribe("ada@example.org")
    send_current()
    link = smtp.messages[0].message["List-Unsubscribe"].strip("<>")
    path = link.removeprefix("https://papers.example.org")
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    sub.refresh_from_db()
    assert not sub.is_active
    with time_machine.travel(datetime(2025, 1, 22, 9, tzinfo=UTC), tick=False):
        report = sending.send(sending.current_periods(datetime(2025, 1, 22, 9, tzinfo=UTC)))
    assert report.sent == 0
    assert len(smtp.messages) == 1


@pytest.mark.parametrize(
    "site_url, domain",
    [
        ("http://[::1]:8000", "localhost"),
        ("http://127.0.0.1:8000", "127.0.0.1"),
        ("https://papers.example.org/", "papers.example.org"),
    ],
)
def test_the_message_id_is_valid_whatever_the_site_url(smtp, papers, settings, site_url, domain):
    settings.SITE_URL = site_url.rstrip("/")
    sub = subscribe("ada@example.org")
    assert send_current().sent == 1
    message_id = smtp.messages[0].message["Message-ID"]
    assert message_id == f"<digest-{sub.pk}-daily-2025-01-20@{domain}>"


@pytest.mark.parametrize(
    "topics, expected",
    [
        ({"categories": ["cs.CL"]}, [1]),
        ({"organizations": ["example-lab"]}, [1]),
        ({"search_query": "diffusion GRASPING"}, [2]),
        ({"categories": ["cs.RO"], "organizations": ["example-lab"]}, [1, 2]),
    ],
)
def test_topics_narrow_the_trending_section(smtp, papers, topics, expected):
    subscribe("ada@example.org", **topics)
    send_current()
    text = smtp.messages[0].text()
    shown = [i for i, p in enumerate(papers) if p.title in text]
    assert shown == expected


def test_topics_with_nothing_in_the_period_send_nothing(smtp, papers):
    subscribe("ada@example.org", categories=["math.PR"])
    report = send_current()
    assert (report.sent, report.skipped) == (0, 1)
    assert smtp.messages == []
    assert Delivery.objects.get().status == "skipped"


def test_the_links_in_the_body_open_the_manage_page_and_unsubscribe(client, smtp, papers):
    sub = subscribe("ada@example.org")
    send_current()
    [mail] = smtp.messages
    site = "https://papers.example.org"
    hrefs = re.findall(r'href="([^"]+)"', mail.html())
    manage = next(h for h in hrefs if "/digests/manage/" in h)
    unsubscribe = next(h for h in hrefs if "/digests/unsubscribe/" in h)
    assert manage in mail.text() and unsubscribe in mail.text()  # the same links in both parts
    page = client.get(manage.removeprefix(site))
    assert page.status_code == 200 and b"ada@example.org" in page.content
    sub.refresh_from_db()
    assert sub.is_active  # opening the manage page changes nothing
    response = client.get(unsubscribe.removeprefix(site))
    assert response.status_code == 200 and b"will get no more digests" in response.content
    sub.refresh_from_db()
    assert not sub.is_active


@pytest.mark.parametrize(
    "email, topics, for_you",
    [
        ("ada@example.org", {}, False),
        ("o'brien+x&y@example.org", {"categories": ["cs.CL"], "search_query": "<b>"}, True),
        ("bob@example.org", {"organizations": ["example-lab"]}, True),
        ("eve@example.org", {"categories": ["math.PR"]}, False),  # no trending on her topics
    ],
)
def test_a_digest_rendered_once_per_shape_is_the_plain_rendering(papers, email, topics, for_you):
    """The digest triplet is rendered once per shape with markers for the personal parts;
    filled in, it is exactly what rendering the templates for this subscriber gives."""
    from paperboy.digests import emails
    from paperboy.digests.compose import Composer
    from paperboy.digests.periods import DAILY, current

    sub = subscribe(email, **topics)
    composer = Composer(current(DAILY, SEND_DAY))
    digest = composer.compose(sub)
    if for_you:
        digest.for_you = list(composer.cards([papers[2].pk]).values())
    message = emails.digest(sub, digest)

    subject, text, html = emails.render("digest", emails.digest_context(sub, digest))
    assert (message.subject, message.body, message.alternatives[0].content) == (
        subject, text, html
    )  # fmt: skip
    assert ("FOR YOU" in text) == for_you
    assert ("No trending papers on your topics" in text) == (email == "eve@example.org")


def test_the_subject_is_plain_text_not_html_escaped(smtp, papers, settings):
    from paperboy.digests import emails
    from paperboy.testing import make_entry, make_paper

    from .conftest import LIST_DAY

    settings.SITE_NAME = "R&D's <Papers>"
    make_entry(make_paper(title="Don't <stop> & go", imported_upvotes=99), LIST_DAY)
    subscribe("ada@example.org")
    assert send_current().sent == 1
    [mail] = smtp.messages
    assert mail.message["Subject"] == (
        "Don't <stop> & go and 3 more · R&D's <Papers> daily, Mon Jan 20, 2025"
    )
    assert "1. Don't <stop> & go" in mail.text()
    assert "Don&#x27;t &lt;stop&gt; &amp; go" in mail.html()  # the HTML part is HTML
    sub = subscribe("bo@example.org")
    subject, text, _ = emails.render("confirm", {"subscription": sub, "confirm_url": "x"})
    assert subject == "Confirm your R&D's <Papers> digest subscription"
    assert "R&D's <Papers>" in text
