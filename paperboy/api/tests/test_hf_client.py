"""The real ``huggingface_hub`` client against a live Paperboy: list_daily_papers, paper_info,
list_papers. (Search needs the search engine; it is patched here to a fixed answer.)"""

import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hf(live_server, listed, monkeypatch):
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    return HfApi(endpoint=live_server.url, token=False)


def test_list_daily_papers_reads_our_json(hf):
    papers = list(hf.list_daily_papers(date="2025-01-15"))
    assert [p.id for p in papers] == ["2501.00101", "2501.00102", "2501.00103"]
    first = papers[0]
    assert first.title == "Most upvoted"
    assert first.upvotes == 3
    assert first.published_at.isoformat() == "2025-01-14T18:00:00+00:00"
    assert first.submitted_at.isoformat() == "2025-01-15T09:00:00+00:00"
    assert first.submitted_by.username == "alice"
    assert first.organization.name == "example-lab"
    assert first.organization.fullname == "Example Lab"
    assert first.github_repo == "https://github.com/example/one"
    assert first.ai_keywords == ["upvotes", "tests"]
    assert [a.name for a in first.authors] == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert first.comments == 0


def test_list_daily_papers_takes_week_month_sort_and_paging(hf):
    assert len(list(hf.list_daily_papers(week="2025-W03"))) == 4
    assert len(list(hf.list_daily_papers(month="2025-01", limit=3, p=1))) == 1
    assert len(list(hf.list_daily_papers(sort="trending"))) == 4
    assert [p.id for p in hf.list_daily_papers(submitter="alice")] == ["2501.00101"]


def test_a_bad_date_raises_the_client_s_http_error(hf):
    with pytest.raises(HfHubHTTPError) as info:
        list(hf.list_daily_papers(date="2025-02-30"))
    assert info.value.response.status_code == 404


def test_paper_info(hf):
    paper = hf.paper_info("2501.00101")
    assert paper.id == "2501.00101"
    assert paper.title == "Most upvoted"
    assert paper.upvotes == 3
    assert paper.published_at.isoformat() == "2025-01-14T18:00:00+00:00"
    assert paper.submitted_at.isoformat() == "2025-01-15T09:00:00+00:00"
    with pytest.raises(HfHubHTTPError) as info:
        hf.paper_info("2501.99999")
    assert info.value.response.status_code == 404


def test_read_paper_gets_the_markdown_page(hf):
    text = hf.read_paper("2501.00101")
    assert text.startswith("# Most upvoted")
    assert "- Upvotes: 3" in text


def test_list_papers_searches(hf, listed, monkeypatch):
    from paperboy.api.tests.fakes import fake_search

    fake_search(monkeypatch, [listed[2].paper, listed[0].paper])
    papers = list(hf.list_papers(query="sparse attention", limit=5))
    assert [p.id for p in papers] == ["2501.00103", "2501.00101"]
    assert papers[1].upvotes == 3
    assert papers[1].submitted_at.isoformat() == "2025-01-15T09:00:00+00:00"
    assert papers[1].organization.name == "example-lab"


def test_list_papers_without_a_query_gets_the_latest_daily_list(hf):
    papers = list(hf.list_papers())
    latest = list(hf.list_daily_papers())
    assert papers and [p.id for p in papers] == [p.id for p in latest]
