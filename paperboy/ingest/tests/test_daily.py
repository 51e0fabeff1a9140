"""arXiv daily: the RSS listing says what was announced, the API gives the metadata."""

from paperboy.ingest.arxiv import ArxivClient, parse_arxiv_id, parse_rss
from paperboy.ingest.arxiv_ingest import ingest_daily
from paperboy.ingest.tests.conftest import Reply, fixture_bytes
from paperboy.papers.models import Paper
from paperboy.testing import make_paper


def test_parse_rss_reads_ids_versions_and_announce_types():
    items = parse_rss(fixture_bytes("arxiv_rss.xml"))
    assert [(a.arxiv_id, a.version, a.announce_type) for a in items] == [
        ("2508.18407", 1, "new"),
        ("2510.01978", 1, "cross"),
        ("2601.19042", 2, "replace"),
        ("2508.99999", 1, "new"),
    ]  # the second listing of 2508.18407 is folded into the first
    assert parse_arxiv_id("2508.18407v1").base == "2508.18407"


def run_daily(server, settings):
    settings.PAPERBOY_ARXIV_RSS_URL = server.url.replace("/api/query", "/rss")
    server.replies = [
        Reply(200, fixture_bytes("arxiv_rss.xml")),
        Reply(200, fixture_bytes("arxiv_multi.xml")),
    ]
    with ArxivClient(api_url=server.url, min_interval=0) as client:
        return ingest_daily(client, categories=["cs.CL", "cs.LG"])


def test_it_imports_new_and_cross_listed_papers_and_reports_unknown_ids(arxiv_server, settings, db):
    result = run_daily(arxiv_server, settings)
    assert arxiv_server.requests[0]["path"] == "/rss/cs.CL+cs.LG"
    assert "id_list=2508.18407%2C2510.01978%2C2508.99999" in arxiv_server.requests[1]["path"]
    assert (result.new, result.failed) == (2, 1)
    assert result.failures == [("2508.99999", "arXiv has no paper with this id")]
    # A replacement of a paper the catalog never had is not imported, even if arXiv sends it.
    assert set(Paper.objects.values_list("arxiv_id", flat=True)) == {"2508.18407", "2510.01978"}


def test_a_replacement_updates_a_known_paper_to_the_new_version(arxiv_server, settings, db):
    make_paper(arxiv_id="2601.19042", version=1, title="Old title")
    run_daily(arxiv_server, settings)
    paper = Paper.objects.get(arxiv_id="2601.19042")
    assert paper.version == 2
    assert paper.title != "Old title"


def test_papers_already_at_the_announced_version_are_not_fetched_again(arxiv_server, settings, db):
    run_daily(arxiv_server, settings)
    arxiv_server.requests.clear()
    again = run_daily(arxiv_server, settings)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    assert "id_list=2508.99999&" in arxiv_server.requests[1]["path"]


def rss(ids: list[str]) -> bytes:
    items = "".join(
        f"<item><guid>oai:arXiv.org:{i}v1</guid><category>cs.CL</category>"
        "<arxiv:announce_type>new</arxiv:announce_type></item>"
        for i in ids
    )
    return (
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" version="2.0"><channel>'
        f"<title>cs.CL updates on arXiv.org</title>{items}</channel></rss>"
    ).encode()


FIRST_BATCH = [f"2601.{n:05d}" for n in range(1, 101)]


def test_an_unreadable_batch_is_reported_failed_and_the_next_batch_imported(
    arxiv_server, settings, db
):
    settings.PAPERBOY_ARXIV_RSS_URL = arxiv_server.url.replace("/api/query", "/rss")
    arxiv_server.replies = [
        Reply(200, rss([*FIRST_BATCH, "2510.01978", "2508.18407"])),
        Reply(200, fixture_bytes("arxiv_malformed.xml")),
        Reply(200, fixture_bytes("arxiv_multi.xml")),
    ]
    with ArxivClient(api_url=arxiv_server.url, min_interval=0) as client:
        result = ingest_daily(client, categories=["cs.CL"])
    assert (result.new, result.failed) == (2, 100)
    assert {i for i, _ in result.failures} == set(FIRST_BATCH)
    assert "not well-formed XML" in result.failures[0][1]
    assert set(Paper.objects.values_list("arxiv_id", flat=True)) == {"2510.01978", "2508.18407"}


def test_when_arxiv_stops_answering_the_rest_is_reported_failed_without_waiting(
    arxiv_server, settings, db
):
    settings.PAPERBOY_ARXIV_RSS_URL = arxiv_server.url.replace("/api/query", "/rss")
    arxiv_server.replies = [
        Reply(200, rss([*FIRST_BATCH, "2510.01978"])),
        Reply(503, b"busy", {"Retry-After": "0"}),
    ]
    with ArxivClient(api_url=arxiv_server.url, min_interval=0, max_attempts=2) as client:
        result = ingest_daily(client, categories=["cs.CL"])
    assert (result.new, result.failed) == (0, 101)
    assert "did not answer after 2 attempts (HTTP 503)" in result.failures[-1][1]
    assert len(arxiv_server.requests) == 3  # the listing, then two tries of the first batch
    assert not Paper.objects.exists()


def test_each_missing_id_is_reported_with_arxivs_own_reason(arxiv_server, settings, db):
    ns = 'xmlns="http://www.w3.org/2005/Atom"'
    entries = (
        "<entry><id>http://arxiv.org/abs/2601.00001v1</id><title>Good</title>"
        "<published>2026-01-05T10:00:00Z</published><summary>S</summary>"
        "<author><name>A</name></author></entry>"
        "<entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_2601.00002</id>"
        "<title>Error</title><summary>incorrect id format for 2601.00002</summary></entry>"
        "<entry><id>http://arxiv.org/abs/2601.00003v1</id><title>No date</title></entry>"
    )
    settings.PAPERBOY_ARXIV_RSS_URL = arxiv_server.url.replace("/api/query", "/rss")
    arxiv_server.replies = [
        Reply(200, rss(["2601.00001", "2601.00002", "2601.00003", "2601.00004"])),
        Reply(200, f"<feed {ns}>{entries}</feed>".encode()),
    ]
    with ArxivClient(api_url=arxiv_server.url, min_interval=0) as client:
        result = ingest_daily(client, categories=["cs.CL"])
    assert (result.new, result.failed) == (1, 3)
    assert result.failures == [
        ("2601.00002", "incorrect id format for 2601.00002"),
        ("2601.00003", "arXiv entry http://arxiv.org/abs/2601.00003v1 has no <published> date."),
        ("2601.00004", "arXiv has no paper with this id"),
    ]
