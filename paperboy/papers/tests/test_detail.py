"""The paper page: /papers/<arxiv_id>."""

from datetime import UTC, date, datetime

from paperboy.feed import votes
from paperboy.papers.models import Organization
from paperboy.testing import PASSWORD, make_entry, make_paper


def test_it_shows_the_whole_paper(client, db):
    lab = Organization.objects.create(slug="tau", name="Tel Aviv University")
    paper = make_paper(
        arxiv_id="2510.06182",
        title="Mixing Mechanisms",
        abstract="First paragraph with $\\alpha$ math.\n\nSecond paragraph.",
        authors=["Ada Lovelace", "Alan Turing", "Grace Hopper"],
        published_at=datetime(2025, 10, 7, 17, 0, tzinfo=UTC),
        project_page="https://example.org/mixing",
        github_repo="https://github.com/example/mixing",
        github_stars=1234,
        version=2,
        imported_upvotes=7,
        organization=lab,
    )
    make_entry(paper, date(2025, 10, 9))

    response = client.get("/papers/2510.06182")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<p>First paragraph with $\\alpha$ math.</p>" in html
    assert html.index("Ada Lovelace") < html.index("Alan Turing") < html.index("Grace Hopper")
    assert "Tel Aviv University" in html
    assert "Published on arXiv <time" in html and "Oct 7, 2025" in html
    assert 'href="/papers/date/2025-10-09">Featured in Daily Papers on Oct 9, 2025' in html
    assert 'href="https://arxiv.org/abs/2510.06182"' in html
    assert 'href="https://arxiv.org/pdf/2510.06182v2"' in html
    assert 'href="https://example.org/mixing"' in html
    assert 'href="https://github.com/example/mixing"' in html and "★ 1234" in html
    assert '<span class="count">7</span>' in html
    # A visitor's upvote button is a link to sign in, coming back to this page.
    assert 'href="/accounts/login/?next=/papers/2510.06182"' in html


def test_it_shows_that_the_reader_upvoted(client, alice):
    paper = make_paper(arxiv_id="2510.06183")
    votes.upvote(user_id=alice.pk, paper_id=paper.pk)
    client.login(username="alice", password=PASSWORD)

    html = client.get("/papers/2510.06183").content.decode()

    assert 'aria-pressed="true"' in html
    assert 'hx-post="/papers/2510.06183/unvote"' in html


def test_old_style_ids_have_pages(client, db):
    make_paper(arxiv_id="hep-th/9901001", title="Old school strings")

    response = client.get("/papers/hep-th/9901001")

    assert response.status_code == 200
    assert "Old school strings" in response.content.decode()


def test_versioned_ids_redirect_to_the_paper(client, db):
    make_paper(arxiv_id="2510.06184")

    response = client.get("/papers/2510.06184v3")

    assert response.status_code == 301
    assert response["Location"] == "/papers/2510.06184"


def test_an_unknown_paper_is_a_helpful_404(client, db):
    response = client.get("/papers/2510.99999")

    assert response.status_code == 404
    html = response.content.decode()
    assert "There is no paper 2510.99999 in the catalog." in html
    assert 'href="/papers"' in html


def test_something_that_is_not_an_id_is_a_404(client, db):
    response = client.get("/papers/not-a-paper")
    assert response.status_code == 404
    assert "is not an arXiv id" in response.content.decode()


def test_a_hidden_paper_is_404(client, db):
    make_paper(arxiv_id="2510.06185", hidden=True)
    assert client.get("/papers/2510.06185").status_code == 404


def test_list_routes_are_not_mistaken_for_papers(client, db):
    assert client.get("/papers/trending").status_code == 200
    assert client.get("/papers/date/2025-10-07").status_code == 200
    assert client.get("/papers/week/2025-W41").status_code == 200
    assert client.get("/papers/month/2025-10").status_code == 200


def test_the_paper_page_uses_a_constant_number_of_queries(client, db, django_assert_num_queries):
    paper = make_paper(arxiv_id="2510.06186", authors=[f"Author {n}" for n in range(30)])
    make_entry(paper)
    # paper + organization + entry, authors, categories, verified authors, comments
    with django_assert_num_queries(5):
        client.get("/papers/2510.06186")
