"""Hugging Face daily papers: parsing the documented JSON and importing it idempotently."""

import json
from datetime import date

import pytest

from paperboy.feed import votes
from paperboy.feed.models import DailyEntry
from paperboy.ingest.hf import HfClient, HfError, parse_daily_papers
from paperboy.ingest.hf_import import import_daily_items
from paperboy.ingest.tests.conftest import Reply, fixture_bytes
from paperboy.papers.models import Organization, Paper, StarSnapshot
from paperboy.testing import make_entry, make_paper


def fetch(server):
    server.replies = [Reply(200, fixture_bytes("hf_daily_papers.json"))]
    with HfClient(api_url=server.url.replace("/api/query", "/api")) as client:
        return client.daily_papers(date="2025-11-05")


def test_it_parses_every_documented_field():
    items, errors = parse_daily_papers(fixture_bytes("hf_daily_papers.json"))
    assert errors == []
    first = items[0]
    assert first.record.arxiv_id == "2511.02358"
    assert first.record.authors[0] == "Wongyu Kim"
    assert (first.day, first.submitter, first.upvotes) == (date(2025, 11, 5), "akhaliq", 42)
    assert first.record.github_repo == "https://github.com/example-lab/mmrag"
    assert first.record.github_stars == 128
    assert first.ai_keywords == ["retrieval-augmented generation", "multimodal"]
    assert first.entry_organization.name == "example-lab"


def test_a_bad_item_is_reported_and_the_others_kept():
    data = json.loads(fixture_bytes("hf_daily_papers.json"))
    del data[0]["paper"]["id"]
    data[1]["paper"]["upvotes"] = "many"
    data.append("not an item")
    items, errors = parse_daily_papers(json.dumps(data))
    assert [i.record.arxiv_id for i in items] == ["2511.03180"]
    assert [e.reason for e in errors] == [
        "missing field 'id'",
        "upvotes 'many' is not a count",
        "item is not an object",
    ]


@pytest.mark.parametrize("body", [b"<html>oops</html>", b'{"error": "x"}'])
def test_an_unreadable_answer_is_an_error(body):
    with pytest.raises(HfError):
        parse_daily_papers(body)


def test_it_asks_for_the_day_with_paging(arxiv_server):
    items, _ = fetch(arxiv_server)
    assert len(items) == 3
    assert arxiv_server.requests[0]["path"] == "/api/daily_papers?date=2025-11-05&p=0&limit=100"


def test_it_creates_papers_entries_organizations_and_counts(arxiv_server, db):
    result = import_daily_items(*fetch(arxiv_server))
    assert (result.new, result.failed) == (3, 0)
    paper = Paper.objects.get(arxiv_id="2511.02358")
    assert (paper.imported_upvotes, paper.upvotes_count, paper.github_stars) == (42, 42, 128)
    assert paper.project_page == "https://example-lab.github.io/mmrag/"
    assert paper.ai_keywords == ["retrieval-augmented generation", "multimodal"]
    assert paper.organization.slug == "example-lab"
    entry = DailyEntry.objects.get(paper=paper)
    assert (entry.day, entry.external_submitter) == (date(2025, 11, 5), "akhaliq")
    assert entry.upvotes_count == 42
    assert entry.organization.name == "Example Lab"
    assert Organization.objects.get(slug="ZurichNLP").name == "Zürich NLP ✨"
    assert StarSnapshot.objects.filter(paper=paper).count() == 1


def test_importing_the_same_day_twice_changes_nothing(arxiv_server, db):
    import_daily_items(*fetch(arxiv_server))
    before = (list(Paper.objects.order_by("pk").values()), list(DailyEntry.objects.values()))
    again = import_daily_items(*fetch(arxiv_server))
    assert (again.new, again.updated, again.unchanged, again.failed) == (0, 0, 3, 0)
    assert (list(Paper.objects.order_by("pk").values()), list(DailyEntry.objects.values())) == (
        before
    )


def test_an_existing_paper_keeps_its_arxiv_metadata(arxiv_server, db):
    make_paper(arxiv_id="2511.02358", title="arXiv's title", categories=["cs.CL", "cs.IR"])
    result = import_daily_items(*fetch(arxiv_server))
    assert (result.new, result.updated) == (2, 1)
    paper = Paper.objects.get(arxiv_id="2511.02358")
    assert paper.title == "arXiv's title"
    assert paper.category_codes() == ["cs.CL", "cs.IR"]
    assert paper.imported_upvotes == 42


def test_imported_upvotes_add_to_local_votes_and_a_local_entry_keeps_its_day(
    arxiv_server, alice, db
):
    paper = make_paper(arxiv_id="2511.02358")
    make_entry(paper, date(2025, 11, 7), submitted_by=alice)
    votes.upvote(user_id=alice.pk, paper_id=paper.pk)
    import_daily_items(*fetch(arxiv_server))
    paper.refresh_from_db()
    assert paper.upvotes_count == 43
    entry = DailyEntry.objects.get(paper=paper)
    assert (entry.day, entry.submitted_by, entry.upvotes_count) == (date(2025, 11, 7), alice, 43)


def test_it_backs_off_with_jitter_on_a_dropped_connection_and_a_503(arxiv_server):
    arxiv_server.replies = [
        Reply(0),
        Reply(503, b"busy"),
        Reply(200, fixture_bytes("hf_daily_papers.json")),
    ]
    sleeps = []
    client = HfClient(
        api_url=arxiv_server.url.replace("/api/query", "/api"),
        sleep=sleeps.append,
        jitter=lambda: 0.5,
    )
    with client:
        items, errors = client.daily_papers(month="2025-11")
    assert (len(items), errors) == (3, [])
    assert sleeps == [1.5, 3.0]
    assert [r["path"] for r in arxiv_server.requests] == [
        "/api/daily_papers?month=2025-11&p=0&limit=100"
    ] * 3
    assert arxiv_server.requests[0]["User-Agent"] == client.user_agent


def test_it_gives_up_with_a_readable_error_when_hugging_face_stays_down(arxiv_server):
    arxiv_server.replies = [Reply(502, b"bad gateway")]
    client = HfClient(api_url=arxiv_server.url, max_attempts=2, sleep=lambda s: None)
    with client, pytest.raises(HfError, match="did not answer after 2 attempts .HTTP 502"):
        client.daily_papers(date="2025-11-05")


# --- bad input: each item imported cleanly or failed with its reason, never half-written ------


def items_with(edit):
    data = json.loads(fixture_bytes("hf_daily_papers.json"))
    edit(data)
    return parse_daily_papers(json.dumps(data))


def test_an_item_the_importer_refuses_fails_alone_and_leaves_nothing(db):
    def edit(data):
        data[1]["paper"]["githubRepo"] = "javascript:alert(1)"

    result = import_daily_items(*items_with(edit))
    assert (result.new, result.failed) == (2, 1)
    assert result.failures[0][0] == "2511.02755"
    assert "is not an http(s) URL" in result.failures[0][1]
    assert not Paper.objects.filter(arxiv_id="2511.02755").exists()
    assert DailyEntry.objects.count() == 2


def test_an_item_the_database_refuses_is_rolled_back_whole_and_the_batch_goes_on(db, monkeypatch):
    from django.db import DatabaseError

    refresh = votes.refresh_counters

    def refuse_one(paper_id):
        if Paper.objects.get(pk=paper_id).arxiv_id == "2511.02755":
            raise DatabaseError("value too long")
        return refresh(paper_id)

    monkeypatch.setattr(votes, "refresh_counters", refuse_one)
    result = import_daily_items(*items_with(lambda data: None))
    assert (result.new, result.failed) == (2, 1)
    assert result.failures == [("2511.02755", "database refused it: value too long")]
    # Its paper was written in the same transaction as its entry: both are gone.
    assert not Paper.objects.filter(arxiv_id="2511.02755").exists()
    assert set(DailyEntry.objects.values_list("paper__arxiv_id", flat=True)) == {
        "2511.02358",
        "2511.03180",
    }


def test_html_latex_and_unicode_in_an_item_are_imported_cleanly(db):
    def edit(data):
        paper = data[0]["paper"]
        paper["title"] = "<b>Münchhausen</b> &amp; the $\\mathcal{O}(n^2)$ <i>trick</i> — 🚀"
        paper["summary"] = "We bound $\\sum_{i} x_i \\le \\epsilon$ for Zoë's 東京 corpus."
        paper["authors"] = [{"name": "Zoë Ångström"}, {"name": "山田 太郎"}]

    import_daily_items(*items_with(edit))
    paper = Paper.objects.get(arxiv_id="2511.02358")
    assert paper.title == "Münchhausen & the $\\mathcal{O}(n^2)$ trick — 🚀"
    assert paper.abstract == "We bound $\\sum_{i} x_i \\le \\epsilon$ for Zoë's 東京 corpus."
    assert paper.author_names() == ["Zoë Ångström", "山田 太郎"]


def test_an_id_listed_twice_in_one_answer_is_imported_once(db):
    def edit(data):
        data.append(json.loads(json.dumps(data[0])))

    result = import_daily_items(*items_with(edit))
    assert (result.new, result.unchanged, result.failed) == (3, 1, 0)
    assert DailyEntry.objects.filter(paper__arxiv_id="2511.02358").count() == 1


@pytest.mark.parametrize(
    "edit, reason",
    [
        (lambda d: d[0]["paper"].pop("publishedAt"), "needs paper.publishedAt"),
        (lambda d: d[0]["paper"].update(title=" "), "title is empty"),
        (lambda d: d[0]["paper"].update(title="<i></i>"), "title is empty"),
        (lambda d: d[0]["paper"].update(authors="Ann"), "authors must be a list"),
        (lambda d: d[0]["paper"].update(id="2511.2358"), "wrong number of digits"),
        (lambda d: d[0]["paper"].update(submittedOnDailyAt="yesterday"), "not an ISO 8601"),
    ],
)
def test_an_item_with_a_missing_or_bad_field_is_reported_with_its_reason(edit, reason, db):
    def drop_outer_date(data):
        data[0].pop("publishedAt")
        edit(data)

    result = import_daily_items(*items_with(drop_outer_date))
    assert (result.new, result.failed) == (2, 1)
    assert reason in result.failures[0][1]
    assert not Paper.objects.filter(arxiv_id="2511.02358").exists()


def test_an_item_with_a_lone_surrogate_is_reported_and_the_others_kept(db):
    body = fixture_bytes("hf_daily_papers.json").decode()
    data = json.loads(body)
    data[2]["paper"]["ai_summary"] = "PLACEHOLDER"
    body = json.dumps(data).replace("PLACEHOLDER", "\\ud800 broken")
    items, errors = parse_daily_papers(body)
    assert [e.id for e in errors] == ["2511.03180"]
    assert "not valid Unicode" in errors[0].reason
    result = import_daily_items(items, errors)
    assert (result.new, result.failed) == (2, 1)


def test_it_reads_every_page_of_a_long_month(arxiv_server, db):
    [item] = json.loads(fixture_bytes("hf_daily_papers.json"))[:1]

    def page(first: int, count: int) -> bytes:
        items = []
        for n in range(first, first + count):
            copy = json.loads(json.dumps(item))
            copy["paper"]["id"] = f"2511.{n:05d}"
            items.append(copy)
        return json.dumps(items).encode()

    arxiv_server.replies = [Reply(200, page(1, 100)), Reply(200, page(101, 7))]
    with HfClient(api_url=arxiv_server.url.replace("/api/query", "/api")) as client:
        items, errors = client.daily_papers(month="2025-11")
    assert (len(items), errors) == (107, [])
    assert [r["path"].rsplit("?", 1)[1] for r in arxiv_server.requests] == [
        "month=2025-11&p=0&limit=100",
        "month=2025-11&p=1&limit=100",
    ]
    assert import_daily_items(items).new == 107


def test_it_waits_what_retry_after_says(arxiv_server):
    arxiv_server.replies = [
        Reply(429, b"slow down", {"Retry-After": "5"}),
        Reply(200, fixture_bytes("hf_daily_papers.json")),
    ]
    sleeps = []
    client = HfClient(
        api_url=arxiv_server.url.replace("/api/query", "/api"),
        sleep=sleeps.append,
        jitter=lambda: 0.5,
    )
    with client:
        items, _ = client.daily_papers(date="2025-11-05")
    assert (len(items), sleeps) == (3, [5.0])


def test_a_retry_after_longer_than_max_delay_is_not_asked_again_early(arxiv_server):
    arxiv_server.replies = [Reply(503, b"busy", {"Retry-After": "3600"})]
    sleeps = []
    client = HfClient(api_url=arxiv_server.url, sleep=sleeps.append)
    with client, pytest.raises(HfError, match="wait 3600 s"):
        client.daily_papers(date="2025-11-05")
    assert (sleeps, len(arxiv_server.requests)) == ([], 1)


def test_it_refuses_an_answer_over_the_size_cap(arxiv_server, monkeypatch):
    monkeypatch.setattr("paperboy.ingest.hf.MAX_BYTES", 1000)
    arxiv_server.replies = [Reply(200, fixture_bytes("hf_daily_papers.json"), length=False)]
    with HfClient(api_url=arxiv_server.url) as client, pytest.raises(HfError, match="too large"):
        client.daily_papers(date="2025-11-05")
    assert len(arxiv_server.requests) == 1


# --- the catalog's rules for extras (``import_extras``) hold for Hugging Face ------------------


def test_a_javascript_link_for_a_known_paper_fails_the_item_and_keeps_the_paper(db):
    paper = make_paper(arxiv_id="2511.02755", project_page="https://example.org/p")

    def edit(data):
        data[1]["paper"]["projectPage"] = "javascript:alert(1)"

    result = import_daily_items(*items_with(edit))
    assert (result.new, result.failed) == (2, 1)
    assert result.failures[0][0] == "2511.02755"
    assert "project_page 'javascript:alert(1)' is not an http(s) URL" in result.failures[0][1]
    paper.refresh_from_db()
    assert (paper.project_page, paper.imported_upvotes) == ("https://example.org/p", 0)
    assert not DailyEntry.objects.filter(paper=paper).exists()


def test_the_summary_and_keywords_are_cleaned_like_any_imported_text(db):
    def edit(data):
        data[0]["paper"]["ai_summary"] = "<b>Retrieval</b> &amp; reranking\u0007,  in one line."
        data[0]["paper"]["ai_keywords"] = [" <i>RAG</i> ", "", "reranking"]

    import_daily_items(*items_with(edit))
    paper = Paper.objects.get(arxiv_id="2511.02358")
    assert paper.ai_summary == "Retrieval & reranking, in one line."
    assert paper.ai_keywords == ["RAG", "reranking"]
