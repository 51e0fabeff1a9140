"""Tests for fetch_record: the submit form's on-demand arXiv lookup (parsed, not written)."""

import httpx
import pytest

from paperboy.ingest import fetch
from paperboy.ingest.arxiv import ArxivClient
from paperboy.ingest.fetch import FetchError, PaperNotFound, fetch_record
from paperboy.ingest.tests.conftest import Reply, fixture_bytes


class Recorder:
    """A mock arXiv answering every request with one fixture, counting the requests."""

    def __init__(self, fixture: str, status: int = 200) -> None:
        self.body = fixture_bytes(fixture)
        self.status = status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, content=self.body)

    def client(self, **kwargs) -> ArxivClient:
        kwargs.setdefault("min_interval", 0)
        kwargs.setdefault("sleep", lambda seconds: None)
        return ArxivClient(httpx.Client(transport=httpx.MockTransport(self)), **kwargs)


def test_it_fetches_and_parses_one_paper():
    arxiv = Recorder("arxiv_single.xml")

    paper = fetch_record("2508.18407", client=arxiv.client())

    assert paper.arxiv_id == "2508.18407"
    assert paper.version == 1
    assert paper.title.startswith("Can Out-of-Distribution Evaluations Uncover Reliance")
    assert paper.authors == [
        "Michal Štefánik",
        "Timothee Mickus",
        "Marek Kadlčík",
        "Michal Spiegel",
        "Josef Kuchař",
    ]
    assert paper.categories[0] == "cs.CL"
    assert sorted(paper.categories) == ["cs.AI", "cs.CL"]
    assert paper.comment == "To appear in Findings of EMNLP 2025"
    assert paper.abstract.count("\n\n") == 2
    assert arxiv.requests[0].url.params["id_list"] == "2508.18407"


def test_it_asks_for_the_latest_version_and_stores_the_one_arxiv_sends():
    arxiv = Recorder("arxiv_multi.xml")

    paper = fetch_record("https://arxiv.org/abs/2601.19042v1", client=arxiv.client())

    assert arxiv.requests[0].url.params["id_list"] == "2601.19042"
    assert (paper.arxiv_id, paper.version) == ("2601.19042", 2)
    assert paper.authors[-1] == "Léo Lebrat"  # the one asked for, not the answer's others


def test_it_raises_paper_not_found_on_an_arxiv_error_entry():
    arxiv = Recorder("arxiv_error.xml")

    with pytest.raises(PaperNotFound, match="no paper with the id 2501.99999"):
        fetch_record("2501.99999", client=arxiv.client())


def test_it_raises_paper_not_found_on_an_empty_feed():
    arxiv = Recorder("arxiv_empty.xml")

    with pytest.raises(PaperNotFound):
        fetch_record("2501.99999", client=arxiv.client())


def test_it_raises_paper_not_found_for_text_that_is_not_an_id_without_asking_arxiv():
    arxiv = Recorder("arxiv_single.xml")

    with pytest.raises(PaperNotFound, match="is not an arXiv id"):
        fetch_record("attention is all you need", client=arxiv.client())
    assert arxiv.requests == []


def test_it_raises_fetch_error_on_an_unreadable_answer():
    arxiv = Recorder("arxiv_malformed.xml")

    with pytest.raises(FetchError, match="could not read") as raised:
        fetch_record("2508.18407", client=arxiv.client())
    assert not isinstance(raised.value, PaperNotFound)


def test_it_succeeds_after_one_503_from_a_real_server(arxiv_server):
    arxiv_server.replies = [
        Reply(503, b"busy", {"Retry-After": "0"}),
        Reply(200, fixture_bytes("arxiv_single.xml")),
    ]

    with ArxivClient(api_url=arxiv_server.url, min_interval=0) as client:
        paper = fetch_record("2508.18407", client=client)

    assert paper.arxiv_id == "2508.18407"
    assert len(arxiv_server.requests) == 2


def test_it_raises_fetch_error_when_arxiv_stays_down(arxiv_server):
    arxiv_server.replies = [Reply(503, b"busy", {"Retry-After": "0"})]

    with (
        ArxivClient(api_url=arxiv_server.url, min_interval=0, max_attempts=3) as client,
        pytest.raises(FetchError, match="not answering right now") as raised,
    ):
        fetch_record("2508.18407", client=client)

    assert not isinstance(raised.value, PaperNotFound)
    assert len(arxiv_server.requests) == 3


def test_the_default_client_honours_settings_and_does_not_pause(arxiv_server, settings):
    settings.PAPERBOY_ARXIV_API_URL = arxiv_server.url
    settings.PAPERBOY_USER_AGENT = "Paperboy-test/2.0 (+https://papers.example.org)"
    arxiv_server.replies = [Reply(200, fixture_bytes("arxiv_single.xml"))]

    client = fetch.default_client()
    assert client.limiter.min_interval == 0
    client.close()
    paper = fetch_record("2508.18407")

    assert paper.arxiv_id == "2508.18407"
    assert arxiv_server.requests[0]["User-Agent"] == settings.PAPERBOY_USER_AGENT
