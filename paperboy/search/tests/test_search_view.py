"""/papers/search: cards, highlights, filters as links, pagination, htmx, bad input."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def test_it_shows_matching_papers_as_cards_with_highlights(client, corpus):
    response = client.get("/papers/search", {"q": "protein structures"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="paper-' in body
    assert "<mark>Protein</mark>" in body
    assert "by words and meaning" in body


def test_it_is_not_taken_for_a_paper_id(client, db):
    response = client.get("/papers/search")
    assert response.status_code == 200
    assert "Search any paper" in response.content.decode()


def test_filters_are_links_that_keep_the_query(client, corpus):
    response = client.get("/papers/search", {"q": "learning"})
    body = response.content.decode()
    assert "?q=learning&amp;category=cs.CR" in body
    assert "?q=learning&amp;code=1" in body
    filtered = client.get("/papers/search", {"q": "learning", "category": "cs.CR"})
    assert [c.paper.arxiv_id for c in filtered.context["cards"]] == ["2501.10004"]


def test_an_arxiv_id_leads_to_that_paper(client, corpus):
    response = client.get("/papers/search", {"q": "arxiv.org/abs/2501.10003"})
    assert [c.paper.arxiv_id for c in response.context["cards"]] == ["2501.10003"]
    assert "exact arXiv id" in response.content.decode()


def test_pagination_links_to_the_next_page(client, corpus, monkeypatch):
    monkeypatch.setattr("paperboy.search.views.PAGE_SIZE", 2)
    first = client.get("/papers/search", {"q": "learning models data attention"})
    assert first.context["next_url"] == "?q=learning+models+data+attention&p=2"
    second = client.get("/papers/search", {"q": "learning models data attention", "p": "2"})
    assert second.status_code == 200
    assert second.context["number"] == 2


def test_htmx_requests_get_the_page(client, corpus):
    response = client.get("/papers/search", {"q": "robots"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="search-results"' in response.content.decode()


def test_bad_filters_get_a_400_that_says_why(client, db):
    for params in (
        {"q": "x", "category": "cs.CL; drop"},
        {"q": "x", "date_from": "yesterday"},
        {"q": "x", "date_from": "2025-02-01", "date_to": "2025-01-01"},
        {"q": "x", "p": "0"},
        {"q": "x", "sort": "random"},
    ):
        response = client.get("/papers/search", params)
        assert response.status_code == 400, params
        assert 'role="alert"' in response.content.decode()


def test_nul_bytes_and_long_queries_are_searched_not_refused(client, corpus):
    assert client.get("/papers/search", {"q": "pro\x00tein"}).status_code == 200
    assert client.get("/papers/search", {"q": "protein " * 2000}).status_code == 200


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=200))
def test_any_text_gets_a_page_not_an_error(client, corpus, query):
    assert client.get("/papers/search", {"q": query}).status_code == 200
