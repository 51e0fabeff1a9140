"""GET /api/papers/search?q=&limit=: the search engine's hits in the daily items' shape."""

import pytest

from paperboy.test import make_entry, make_paper

pytestmark = pytest.mark.django_db


def test_it_finds_papers_with_the_real_engine(client, db):
    paper = make_paper(arxiv_id="2501.00700", title="Quantum Gardening with Robots")
    make_entry(paper)
    make_paper(arxiv_id="2501.00701", title="Unrelated Work on Compilers")
    response = client.get("/api/papers/search", {"q": "quantum gardening", "limit": 5})
    assert response.status_code == 200
    items = response.json()
    assert items[0]["paper"]["id"] == "2501.00700"
    assert items[0]["title"] == "Quantum Gardening with Robots"
    assert items[0]["publishedAt"] == items[0]["paper"]["submittedOnDailyAt"]


def test_it_passes_the_query_and_limit_to_the_engine(client, listed, monkeypatch):
    from paperboy.api.tests.fakes import fake_search

    calls = []
    fake_search(monkeypatch, [listed[1].paper, listed[0].paper], calls)
    items = client.get("/api/papers/search", {"q": "attention", "limit": 120}).json()
    assert [i["paper"]["id"] for i in items] == ["2501.00102", "2501.00101"]
    assert calls == [{"query": "attention", "limit": 120}]


@pytest.mark.parametrize(
    "params",
    [{}, {"q": ""}, {"q": "   "}, {"q": "x" * 251}, {"q": "a", "limit": 121}, {"q": "a\x00"}],
)
def test_bad_queries_are_a_400(client, db, params):
    response = client.get("/api/papers/search", params)
    assert response.status_code == 400
    assert response.json()["error"]
