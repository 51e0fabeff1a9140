"""Organization pages: /<org-slug>/papers, ranked by upvotes."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperboy.accounts.models import Organization
from paperboy.test import make_entry, make_paper


def test_it_lists_the_organizations_papers_by_upvotes(client, example_lab):
    other = Organization.objects.create(slug="other", name="Other Org")
    make_paper(title="Lab paper, few votes", organization=example_lab, upvotes_count=1)
    make_paper(title="Lab paper, many votes", organization=example_lab, upvotes_count=9)
    make_entry(make_paper(title="Tagged on the list", imported_upvotes=5), organization=example_lab)
    make_paper(title="Someone else's", organization=other, upvotes_count=50)

    response = client.get("/example-lab/papers")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Example Lab" in html and "3 papers" in html
    assert html.index("many votes") < html.index("Tagged on the list") < html.index("few votes")
    assert "Someone else" not in html


def test_an_unknown_organization_is_a_helpful_404(client, db):
    response = client.get("/no-such-lab/papers")

    assert response.status_code == 404
    assert "There is no organization called “no-such-lab” here." in response.content.decode()


def test_the_org_page_uses_a_constant_number_of_queries(client, example_lab):
    make_paper(organization=example_lab)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get("/example-lab/papers")
        return len(ctx.captured_queries)

    few = count()
    for n in range(8):
        paper = make_paper(organization=example_lab if n % 2 else None)
        make_entry(paper, date(2025, 10, 1), organization=None if n % 2 else example_lab)
    assert count() == few == 3
