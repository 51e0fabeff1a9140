"""GET /api/papers/search?q=&limit=: the search engine's hits in the daily items' shape."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperboy.lib.query import MAX_QUERY_CHARS
from paperboy.testing import make_entry, make_paper

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
    [
        {"q": "x" * (MAX_QUERY_CHARS + 1)},
        {"q": "a", "limit": 121},
        {"q": "a", "limit": 0},
        {"q": "a\x00"},
    ],
)
def test_bad_queries_are_a_400(client, db, params):
    response = client.get("/api/papers/search", params)
    assert response.status_code == 400
    assert response.json()["error"]


@pytest.fixture
def searchable(db):
    """Two papers in the real word index (no vectors: the engine searches by words)."""
    return [
        make_paper(arxiv_id="2501.00710", title="Predicting Protein Structures with Diffusion"),
        make_paper(arxiv_id="2501.00711", title="Teaching Robots to Grasp from Videos"),
    ]


def a_list_or_a_message(response) -> bool:
    if response.status_code == 200:
        return isinstance(response.json(), list)
    return response.status_code == 400 and bool(response.json().get("error"))


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"protein structures',
        "protein*",
        "title: protein",
        "(protein",
        "NEAR(protein structures)",
        "protein AND structures",
        "protein OR robots",
        "NOT protein",
        "-protein",
        "🧬 protein 🤖",
        "نموذج اللغة الكبير",
        "' OR 1=1 --",
    ],
)
def test_search_syntax_is_searched_as_words(client, searchable, query):
    response = client.get("/api/papers/search", {"q": query})
    assert response.status_code == 200, query
    found = [item["paper"]["id"] for item in response.json()]
    if "protein" in query:
        assert found[0] == "2501.00710", query


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "  "}])
def test_no_query_lists_the_latest_daily_list_like_hf_list_papers_asks(client, db, params):
    today = make_paper(arxiv_id="2512.00002", title="Today's paper")
    make_entry(today, day=datetime.date(2025, 12, 2))
    older = make_paper(arxiv_id="2512.00001", title="Yesterday's paper")
    make_entry(older, day=datetime.date(2025, 12, 1))
    response = client.get("/api/papers/search", params)
    assert response.status_code == 200
    assert [item["paper"]["id"] for item in response.json()] == ["2512.00002"]


@pytest.mark.parametrize("query", ["\x00", "pro\x00tein", "x" * 10_000])
def test_binary_or_huge_queries_get_a_readable_400(client, searchable, query):
    response = client.get("/api/papers/search", {"q": query})
    assert response.status_code == 400
    assert response.json()["error"]


QUERY_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.sampled_from(
            ['"', "*", ":", "(", ")", "NEAR", "AND", "OR", "NOT", "-", "^", "\x00", "🧬",
             "ש", "protein", "robots"]
        ),
        max_size=12,
    ).map(" ".join),
)  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=QUERY_TEXT)
def test_random_text_gets_a_list_or_a_readable_400(client, searchable, query):
    assert a_list_or_a_message(client.get("/api/papers/search", {"q": query}))
