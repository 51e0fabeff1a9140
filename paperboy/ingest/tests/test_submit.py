"""Submitting a paper to today's list: GET/POST /papers/submit."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client

from paperboy.feed.models import DailyEntry
from paperboy.ingest import fetch
from paperboy.ingest.tests.conftest import Reply, arxiv_server, fixture_bytes  # noqa: F401
from paperboy.papers.models import Author, Category, Paper
from paperboy.testing import PASSWORD, make_entry, make_paper, make_user

TODAY = date(2025, 1, 20)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(datetime(2025, 1, 20, 10, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def alice_client(client, alice):
    client.login(username="alice", password=PASSWORD)
    return client


@pytest.fixture
def no_network(monkeypatch):
    """arXiv must not be asked unless a test says so."""

    def refuse(arxiv_id, client=None):
        raise AssertionError(f"fetch_record({arxiv_id!r}) was called")

    monkeypatch.setattr(fetch, "fetch_record", refuse)


@pytest.fixture
def arxiv(arxiv_server, settings):  # noqa: F811 (the fixture imported above)
    """A real local HTTP server in place of the arXiv API, answering with recorded responses."""
    settings.PAPERBOY_ARXIV_API_URL = arxiv_server.url
    return arxiv_server


# 2508.18407 (the recorded single-paper response) appeared on arXiv on 2025-08-25.
FIXTURE_DAY = datetime(2025, 9, 1, 10, 0, tzinfo=UTC)


def test_it_needs_a_signed_in_user(client, db):
    response = client.get("/papers/submit")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_shows_the_form_and_the_rules(alice_client):
    response = alice_client.get("/papers/submit")

    assert response.status_code == 200
    html = response.content.decode()
    assert "arXiv id or URL" in html
    assert "last 30 days" in html


def test_it_puts_a_catalog_paper_on_todays_list(alice_client, alice, no_network):
    paper = make_paper(arxiv_id="2501.00042", title="A fine paper", imported_upvotes=3)

    response = alice_client.post("/papers/submit", {"arxiv_id": "2501.00042"})

    assert response.status_code == 302
    assert response["Location"] == "/papers"
    entry = DailyEntry.objects.get(paper=paper)
    assert entry.day == TODAY
    assert entry.submitted_by == alice
    assert entry.submitted_at == datetime(2025, 1, 20, 10, 0, tzinfo=UTC)
    assert entry.upvotes_count == 3 and entry.trending_score > 0
    page = alice_client.get("/papers").content.decode()
    assert "is on today&#x27;s list" in page and "A fine paper" in page


def test_it_accepts_links_and_versions(alice_client, no_network):
    paper = make_paper(arxiv_id="2501.00043")

    alice_client.post("/papers/submit", {"arxiv_id": "https://arxiv.org/abs/2501.00043v2"})

    assert DailyEntry.objects.filter(paper=paper).exists()


def test_it_fetches_a_paper_missing_from_the_catalog(client, alice, arxiv):
    arxiv.replies = [Reply(200, fixture_bytes("arxiv_single.xml"))]

    with time_machine.travel(FIXTURE_DAY, tick=False):
        client.login(username="alice", password=PASSWORD)
        response = client.post("/papers/submit", {"arxiv_id": "arXiv:2508.18407"})

    assert response.status_code == 302
    assert len(arxiv.requests) == 1 and "id_list=2508.18407" in arxiv.requests[0]["path"]
    entry = DailyEntry.objects.get(paper__arxiv_id="2508.18407")
    assert entry.day == FIXTURE_DAY.date()
    assert entry.paper.title.startswith("Can Out-of-Distribution Evaluations Uncover")
    assert entry.paper.num_authors == entry.paper.authorships.count() > 0


def _assert_rejected(response, message: str) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html, html[html.find("form-errors") :][:400]
    return html


@pytest.mark.parametrize("text", ["", "not an id", "2513.00001", "2501.123", "2501." + "9" * 5000])
def test_it_rejects_malformed_ids(alice_client, no_network, text):
    response = alice_client.post("/papers/submit", {"arxiv_id": text})

    assert response.status_code == 200
    assert "form-errors" in response.content.decode()
    assert not DailyEntry.objects.exists()


def test_a_nul_in_the_id_is_a_400(alice_client, no_network):
    response = alice_client.post("/papers/submit", {"arxiv_id": "2501.00001\x00"})

    assert response.status_code == 400  # refused at the door (lib/requestguard)
    assert not DailyEntry.objects.exists()


def test_it_rejects_a_paper_already_on_the_list(alice_client, no_network):
    paper = make_paper(arxiv_id="2501.00044")
    make_entry(paper, date(2025, 1, 15))

    response = alice_client.post("/papers/submit", {"arxiv_id": "2501.00044"})

    html = _assert_rejected(response, "2501.00044 is already on the daily list")
    assert 'it was featured on <a href="/papers/date/2025-01-15">Jan 15, 2025</a>' in html
    assert DailyEntry.objects.get(paper=paper).day == date(2025, 1, 15)


def test_it_rejects_papers_older_than_the_limit(alice_client, no_network, settings):
    settings.PAPERBOY_SUBMIT_MAX_AGE_DAYS = 7
    make_paper(arxiv_id="2501.00045", published_at=datetime(2025, 1, 2, tzinfo=UTC))

    response = alice_client.post("/papers/submit", {"arxiv_id": "2501.00045"})

    _assert_rejected(response, "only papers from the last 7 days can be submitted")
    assert not DailyEntry.objects.exists()


def test_it_enforces_the_daily_cap(alice_client, alice, no_network, settings):
    settings.PAPERBOY_SUBMIT_DAILY_CAP = 2
    for n in range(3):
        make_paper(arxiv_id=f"2501.0005{n}")

    for n in range(2):
        assert alice_client.post("/papers/submit", {"arxiv_id": f"2501.0005{n}"}).status_code == 302
    response = alice_client.post("/papers/submit", {"arxiv_id": "2501.00052"})

    _assert_rejected(response, "the daily limit")
    assert DailyEntry.objects.filter(submitted_by=alice).count() == 2


def test_unverified_users_cannot_submit(client, charlie, no_network):
    make_paper(arxiv_id="2501.00046")
    client.login(username="charlie", password=PASSWORD)

    page = client.get("/papers/submit").content.decode()
    response = client.post("/papers/submit", {"arxiv_id": "2501.00046"})

    assert "Verify your email address" in page
    _assert_rejected(response, "Verify your email address to submit papers.")
    assert not DailyEntry.objects.exists()


def test_staff_only_mode_refuses_members(alice_client, no_network, settings):
    settings.PAPERBOY_SUBMIT_WHO = "staff"
    make_paper(arxiv_id="2501.00047")

    response = alice_client.post("/papers/submit", {"arxiv_id": "2501.00047"})

    _assert_rejected(response, "Only the site&#x27;s staff can submit papers here.")
    assert not DailyEntry.objects.exists()


def test_staff_only_mode_lets_staff_submit(client, db, no_network, settings):
    settings.PAPERBOY_SUBMIT_WHO = "staff"
    make_user("editor", is_staff=True, verified=False)
    client.login(username="editor", password=PASSWORD)
    make_paper(arxiv_id="2501.00048")

    assert client.post("/papers/submit", {"arxiv_id": "2501.00048"}).status_code == 302
    assert DailyEntry.objects.filter(paper__arxiv_id="2501.00048").exists()


def test_closed_submissions_refuse_everyone(alice_client, no_network, settings):
    settings.PAPERBOY_SUBMIT_WHO = "nobody"
    make_paper(arxiv_id="2501.00049")

    response = alice_client.post("/papers/submit", {"arxiv_id": "2501.00049"})

    _assert_rejected(response, "Submissions are closed on this site.")
    assert not DailyEntry.objects.exists()


def test_a_paper_arxiv_does_not_know_is_a_form_error(alice_client, arxiv):
    arxiv.replies = [Reply(200, fixture_bytes("arxiv_empty.xml"))]

    response = alice_client.post("/papers/submit", {"arxiv_id": "2501.99999"})

    _assert_rejected(response, "arXiv has no paper 2501.99999.")
    assert not DailyEntry.objects.exists() and not Paper.objects.exists()


def test_network_trouble_is_a_form_error(alice_client, arxiv):
    arxiv.replies = [Reply(503, b"", {"Retry-After": "0"})]

    response = alice_client.post("/papers/submit", {"arxiv_id": "2501.99998"})

    _assert_rejected(response, "We could not reach arXiv")
    assert len(arxiv.requests) > 1  # it retried before giving up
    assert not DailyEntry.objects.exists() and not Paper.objects.exists()


def test_a_fetched_paper_that_breaks_a_rule_leaves_no_trace(client, alice, arxiv):
    arxiv.replies = [Reply(200, fixture_bytes("arxiv_single.xml"))]

    # A year after it appeared on arXiv, the paper is far too old for today's list.
    with time_machine.travel(datetime(2026, 9, 1, tzinfo=UTC), tick=False):
        client.login(username="alice", password=PASSWORD)
        response = client.post("/papers/submit", {"arxiv_id": "2508.18407"})

    _assert_rejected(response, "only papers from the last 30 days")
    assert not Paper.objects.exists()
    assert not Author.objects.exists() and not Category.objects.exists()
    assert not DailyEntry.objects.exists()


def test_a_post_without_csrf_token_is_refused(alice, no_network):
    make_paper(arxiv_id="2501.00050")
    client = Client(enforce_csrf_checks=True)
    client.login(username="alice", password=PASSWORD)

    response = client.post("/papers/submit", {"arxiv_id": "2501.00050"})

    assert response.status_code == 403
    assert not DailyEntry.objects.exists()
