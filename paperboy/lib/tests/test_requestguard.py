"""A NUL character anywhere in a request (path, query string, form field) is a 400 before any
view runs: never a 500 from PostgreSQL, never stored by SQLite. JSON under /api/."""

import pytest

from paperboy.testing import make_paper

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/u/a\x00b", "/papers/2510.1\x00", "/authors/1\x00", "/papers/date/2025-01-0\x00"],
)
def test_a_nul_in_the_path_is_a_400(client, alice, path):
    response = client.get(path)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")  # the site's page, not a bare line
    body = response.content.decode()
    assert "The address contains a NUL character, which cannot be stored; remove it." in body
    assert "<h1>That request can't be read</h1>" in body


def test_a_nul_in_the_query_string_is_a_400(client, db):
    for params in ({"q": "a\x00"}, {"a\x00": "x"}):
        response = client.get("/papers/search", params)
        assert response.status_code == 400
        assert "A query parameter contains a NUL character" in response.content.decode()


def test_a_nul_in_a_form_field_is_a_400_for_every_form(client, alice, example_lab):
    make_paper(arxiv_id="2510.10001")
    client.force_login(alice)
    for url, data in [
        ("/papers/2510.10001/comments", {"body": "a\x00b"}),
        ("/papers/submit", {"arxiv_id": "2510.10001\x00"}),
        ("/orgs/new", {"slug": "lab", "name": "Lab\x00", "description": "x"}),
        ("/settings/tokens", {"name": "n\x00", "scope": "api"}),
        ("/digests/subscribe", {"email": "a@example.org", "search_query": "x\x00"}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 400, url
        assert "A form field contains a NUL character" in response.content.decode(), url


def test_under_api_the_refusal_is_json(client, db):
    response = client.get("/api/daily_papers", {"submitter": "a\x00"})

    assert response.status_code == 400
    assert response.json() == {
        "error": "A query parameter contains a NUL character, which cannot be stored; remove it."
    }


def test_text_without_nul_passes(client, db):
    assert client.get("/papers/search", {"q": "naïve Bayes ∑"}).status_code == 200
