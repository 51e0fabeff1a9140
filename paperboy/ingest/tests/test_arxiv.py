"""Tests for the arXiv client: parsing recorded Atom responses, batching, rate limit, retries."""

import socket
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from paperboy.ingest.arxiv import (
    ArxivClient,
    ArxivError,
    ArxivUnavailable,
    parse_feed,
    read_feed,
)
from paperboy.ingest.tests.conftest import FakeClock, Reply, fixture_bytes

ATOM = (
    '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">'
    "{entries}</feed>"
)


def one_entry(
    entry_id: str,
    *,
    published: str = "2026-01-05T10:00:00Z",
    updated: str = "",
    extra: str = "",
) -> bytes:
    updated_xml = f"<updated>{updated}</updated>" if updated else ""
    entry = (
        f"<entry><id>{entry_id}</id><published>{published}</published>{updated_xml}"
        f"<title>T</title><summary>S</summary><author><name>A</name></author>{extra}</entry>"
    )
    return ATOM.format(entries=entry).encode()


def mock_client(handler, **kwargs) -> tuple[ArxivClient, FakeClock]:
    """A client on a mock transport whose sleeps advance a fake clock instead of waiting."""
    clock = FakeClock()
    kwargs.setdefault("min_interval", 0)
    client = ArxivClient(
        httpx.Client(transport=httpx.MockTransport(handler)),
        api_url="https://export.arxiv.org/api/query",
        clock=clock,
        sleep=clock.sleep,
        jitter=lambda: 0.5,
        **kwargs,
    )
    return client, clock


# --- parse_feed --------------------------------------------------------------------------------


def test_it_parses_a_single_paper_response():
    [record] = parse_feed(fixture_bytes("arxiv_single.xml"))

    assert record.arxiv_id == "2508.18407"
    assert record.version == 1
    assert record.title == (
        "Can Out-of-Distribution Evaluations Uncover Reliance on Shortcuts? "
        "A Case Study in Question Answering"
    )
    assert record.authors == [
        "Michal Štefánik",
        "Timothee Mickus",
        "Marek Kadlčík",
        "Michal Spiegel",
        "Josef Kuchař",
    ]
    assert record.comment == "To appear in Findings of EMNLP 2025"
    assert record.published_at == datetime(2025, 8, 25, 19, 12, 41, tzinfo=UTC)
    assert record.updated_at == record.published_at


def test_it_joins_hard_line_breaks_and_keeps_indented_paragraphs():
    [record] = parse_feed(fixture_bytes("arxiv_single.xml"))

    paragraphs = record.abstract.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("A majority of recent work in AI assesses models' gen")
    assert paragraphs[0].endswith("in a real-world deployment.")
    assert paragraphs[1].startswith("In this work, we challenge")
    assert paragraphs[2].endswith("within and beyond QA more robustly.")
    assert "\n" not in paragraphs[1] and "  " not in record.abstract


def test_it_puts_the_primary_category_first_and_drops_acm_and_msc_classes():
    [record] = parse_feed(fixture_bytes("arxiv_single.xml"))

    assert record.categories == ["cs.CL", "cs.AI"]


def test_it_parses_a_multi_paper_response_in_order():
    records = parse_feed(fixture_bytes("arxiv_multi.xml"))

    assert [r.arxiv_id for r in records] == ["2510.01978", "2601.19042", "2508.18407"]
    roi = records[0]
    assert roi.title == "ROI-GS: Interest-based Local Quality 3D Gaussian Splatting"
    assert "$\\approx 17\\%$ of baseline" in roi.abstract
    assert roi.categories == ["cs.GR", "cs.CV"]
    assert roi.comment == "4 pages, 3 figures, 2 tables"


def test_it_unescapes_xml_and_keeps_latex_in_abstracts():
    records = parse_feed(fixture_bytes("arxiv_multi.xml"))

    assert "sub-degree accuracy ($<1^\\circ$ from the global optimum)" in records[1].abstract


def test_it_reads_the_version_and_both_dates():
    nc_reg = parse_feed(fixture_bytes("arxiv_multi.xml"))[1]

    assert nc_reg.version == 2
    assert nc_reg.published_at == datetime(2026, 1, 26, 23, 10, 51, tzinfo=UTC)
    assert nc_reg.updated_at == datetime(2026, 2, 3, 8, 47, 15, tzinfo=UTC)


def test_it_converts_offset_dates_to_utc():
    # The dates of cond-mat/0702661v2 as printed in the arXiv API user manual.
    [record] = parse_feed(
        one_entry(
            "http://arxiv.org/abs/cond-mat/0702661v2",
            published="2007-02-27T16:02:02-05:00",
            updated="2007-06-25T17:09:59-04:00",
        )
    )

    assert record.published_at == datetime(2007, 2, 27, 21, 2, 2, tzinfo=UTC)
    assert record.updated_at == datetime(2007, 6, 25, 21, 9, 59, tzinfo=UTC)
    assert record.published_at.utcoffset() == timedelta(0)


def test_it_reads_old_style_ids_with_a_version():
    [record] = parse_feed(one_entry("http://arxiv.org/abs/hep-th/9901001v2"))

    assert (record.arxiv_id, record.version) == ("hep-th/9901001", 2)


def test_it_reads_ids_without_a_version_as_version_1():
    [record] = parse_feed(one_entry("https://arxiv.org/abs/2601.19042"))

    assert (record.arxiv_id, record.version) == ("2601.19042", 1)


def test_it_reports_arxiv_error_entries_instead_of_importing_them():
    feed = read_feed(fixture_bytes("arxiv_error.xml"))

    assert feed.records == []
    assert [e.message for e in feed.errors] == ["incorrect id format for 1234.12345"]
    assert parse_feed(fixture_bytes("arxiv_error.xml")) == []


def test_it_reads_an_empty_feed_as_no_papers():
    feed = read_feed(fixture_bytes("arxiv_empty.xml"))

    assert (feed.records, feed.errors, feed.total_results) == ([], [], 0)


def test_it_skips_an_entry_with_an_unreadable_id_but_keeps_the_others():
    good = "<entry><id>http://arxiv.org/abs/2601.19042v1</id>"
    good += "<published>2026-01-26T23:10:51Z</published><title>T</title></entry>"
    bad = "<entry><id>http://arxiv.org/abs/not-an-id</id><title>T</title></entry>"
    feed = read_feed(ATOM.format(entries=bad + good).encode())

    assert [r.arxiv_id for r in feed.records] == ["2601.19042"]
    assert feed.errors[0].id == "http://arxiv.org/abs/not-an-id"


def test_it_raises_a_clear_error_on_malformed_xml():
    with pytest.raises(ArxivError, match="not well-formed XML"):
        parse_feed(fixture_bytes("arxiv_malformed.xml"))


def test_it_raises_on_a_document_that_is_not_an_atom_feed():
    with pytest.raises(ArxivError, match="not an Atom feed"):
        parse_feed(b"<html><body>Service Unavailable</body></html>")


def test_it_refuses_entity_declarations():
    bomb = b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaa">]><feed>&a;</feed>'

    with pytest.raises(ArxivError, match="DTD"):
        parse_feed(bomb)


def test_it_refuses_huge_input(monkeypatch):
    monkeypatch.setattr("paperboy.ingest.arxiv.MAX_FEED_BYTES", 1000)

    with pytest.raises(ArxivError, match="too large"):
        parse_feed(fixture_bytes("arxiv_single.xml"))


# --- ArxivClient -------------------------------------------------------------------------------


def test_it_sends_id_list_and_a_descriptive_user_agent():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=fixture_bytes("arxiv_single.xml"))

    client, _ = mock_client(handler, user_agent="Paperboy-test/1.0 (+mailto:ops@example.org)")
    records = client.fetch_ids(["2508.18407"])

    assert [r.arxiv_id for r in records] == ["2508.18407"]
    assert seen[0].url.params["id_list"] == "2508.18407"
    assert seen[0].url.params["max_results"] == "1"
    assert seen[0].headers["User-Agent"] == "Paperboy-test/1.0 (+mailto:ops@example.org)"


def test_it_uses_the_settings_for_url_and_user_agent(settings):
    settings.PAPERBOY_ARXIV_API_URL = "https://arxiv.example.org/api/query"
    settings.PAPERBOY_USER_AGENT = "Paperboy/9 (+https://papers.example.org)"

    client = ArxivClient(httpx.Client(transport=httpx.MockTransport(lambda r: None)))

    assert client.api_url == "https://arxiv.example.org/api/query"
    assert client.user_agent == "Paperboy/9 (+https://papers.example.org)"


def test_it_fetches_in_batches_of_at_most_100_ids():
    batches = []

    def handler(request: httpx.Request) -> httpx.Response:
        batches.append(request.url.params["id_list"].split(","))
        return httpx.Response(200, content=fixture_bytes("arxiv_empty.xml"))

    ids = [f"2601.{n:05d}" for n in range(1, 251)]
    client, _ = mock_client(handler)
    client.fetch_ids(ids + ids[:10])  # duplicates are asked for once

    assert [len(b) for b in batches] == [100, 100, 50]
    assert [i for b in batches for i in b] == ids


def test_it_does_not_retry_a_client_error():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(400, content=b"bad request")

    with pytest.raises(ArxivError, match="HTTP 400"):
        mock_client(handler)[0].fetch_ids(["2601.19042"])
    assert len(calls) == 1


def test_it_retries_network_errors_with_exponential_backoff():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) < 3:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, content=fixture_bytes("arxiv_single.xml"))

    client, clock = mock_client(handler, backoff_base=2.0, max_attempts=4)
    assert len(client.fetch_ids(["2508.18407"])) == 1
    # jitter 0.5 → three quarters of each step: steps of 2 s then 4 s.
    assert clock.sleeps == [1.5, 3.0]


def test_it_caps_the_backoff_delay():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502)

    client, clock = mock_client(handler, backoff_base=10.0, max_delay=15.0, max_attempts=4)
    with pytest.raises(ArxivUnavailable):
        client.fetch_ids(["2508.18407"])
    assert clock.sleeps == [7.5, 11.25, 11.25]


def test_it_honours_retry_after_on_429():
    replies = [httpx.Response(429, headers={"Retry-After": "7"})]

    def handler(request: httpx.Request) -> httpx.Response:
        if replies:
            return replies.pop()
        return httpx.Response(200, content=fixture_bytes("arxiv_single.xml"))

    client, clock = mock_client(handler)
    client.fetch_ids(["2508.18407"])

    assert clock.sleeps == [7.0]


def test_it_retries_after_a_503_from_a_real_server(arxiv_server):
    arxiv_server.replies = [
        Reply(503, b"busy", {"Retry-After": "0"}),
        Reply(200, fixture_bytes("arxiv_single.xml")),
    ]
    client = ArxivClient(api_url=arxiv_server.url, min_interval=0, backoff_base=0)

    with client:
        records = client.fetch_ids(["2508.18407"])

    assert [r.arxiv_id for r in records] == ["2508.18407"]
    assert len(arxiv_server.requests) == 2
    assert "id_list=2508.18407" in arxiv_server.requests[1]["path"]
    assert arxiv_server.requests[1]["User-Agent"] == client.user_agent


def test_it_gives_up_after_max_attempts_of_503_from_a_real_server(arxiv_server):
    arxiv_server.replies = [Reply(503, b"busy", {"Retry-After": "0"})]
    client = ArxivClient(api_url=arxiv_server.url, min_interval=0, max_attempts=3)

    with client, pytest.raises(ArxivUnavailable, match="after 3 attempts .HTTP 503"):
        client.fetch_ids(["2508.18407"])
    assert len(arxiv_server.requests) == 3


def test_it_retries_when_nothing_listens_on_the_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clock = FakeClock()
    client = ArxivClient(
        api_url=f"http://127.0.0.1:{port}/api/query",
        min_interval=0,
        max_attempts=2,
        sleep=clock.sleep,
    )

    with client, pytest.raises(ArxivUnavailable, match="ConnectError"):
        client.fetch_ids(["2508.18407"])
    assert len(clock.sleeps) == 1


# --- rate limit (the limiter itself: test_http.py) ------------------------------------------


def test_the_client_spaces_its_requests_by_the_minimum_interval():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=fixture_bytes("arxiv_empty.xml"))

    client, clock = mock_client(handler, min_interval=3.0)
    client.fetch_ids([f"2601.{n:05d}" for n in range(1, 301)])

    assert clock.sleeps == [3.0, 3.0]


def test_a_zero_interval_never_sleeps():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=fixture_bytes("arxiv_empty.xml"))

    client, clock = mock_client(handler, min_interval=0)
    client.fetch_ids([f"2601.{n:05d}" for n in range(1, 301)])

    assert clock.sleeps == []


def test_it_backs_off_with_jitter_on_429_and_a_dropped_connection_from_a_real_server(
    arxiv_server,
):
    arxiv_server.replies = [
        Reply(429, b"slow down"),
        Reply(0),  # the server hangs up without answering
        Reply(200, fixture_bytes("arxiv_single.xml")),
    ]
    sleeps = []
    jitter = iter([0.0, 1.0])
    client = ArxivClient(
        api_url=arxiv_server.url,
        min_interval=0,
        backoff_base=2.0,
        sleep=sleeps.append,
        jitter=lambda: next(jitter),
    )

    with client:
        records = client.fetch_ids(["2508.18407"])

    assert [r.arxiv_id for r in records] == ["2508.18407"]
    assert len(arxiv_server.requests) == 3
    # Steps of 2 s then 4 s, each between half and all of the step as the jitter says.
    assert sleeps == [1.0, 4.0]


def test_it_waits_what_retry_after_says_on_a_real_server(arxiv_server):
    arxiv_server.replies = [
        Reply(503, b"busy", {"Retry-After": "7"}),
        Reply(200, fixture_bytes("arxiv_single.xml")),
    ]
    sleeps = []
    with ArxivClient(api_url=arxiv_server.url, min_interval=0, sleep=sleeps.append) as client:
        assert len(client.fetch_ids(["2508.18407"])) == 1
    assert sleeps == [7.0]


def test_a_retry_after_longer_than_max_delay_is_not_asked_again_early(arxiv_server):
    arxiv_server.replies = [Reply(429, b"slow down", {"Retry-After": "600"})]
    sleeps = []
    client = ArxivClient(api_url=arxiv_server.url, min_interval=0, sleep=sleeps.append)

    with client, pytest.raises(ArxivUnavailable, match="wait 600 s"):
        client.fetch_ids(["2508.18407"])
    assert (sleeps, len(arxiv_server.requests)) == ([], 1)


def test_it_refuses_an_answer_over_the_size_cap_from_a_real_server(arxiv_server, monkeypatch):
    monkeypatch.setattr("paperboy.ingest.arxiv.MAX_FEED_BYTES", 1000)
    arxiv_server.replies = [Reply(200, fixture_bytes("arxiv_single.xml"), length=False)]

    with (
        ArxivClient(api_url=arxiv_server.url, min_interval=0) as client,
        pytest.raises(ArxivError, match="too large"),
    ):
        client.fetch_ids(["2508.18407"])
    assert len(arxiv_server.requests) == 1
