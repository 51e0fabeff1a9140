"""Organization pages: /<org-slug>/papers, ranked by upvotes."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperboy.papers.models import Organization
from paperboy.testing import make_entry, make_paper


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
    # three for the page whatever its length, one for the organization's public collections
    # (the library's {% org_collections %} under the list)
    assert count() == few == 4


def _org_week(client, query: str) -> str:
    response = client.get(f"/example-lab/papers{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_day_week_and_month_narrow_it_to_papers_listed_then(client, example_lab):
    make_entry(make_paper(title="Listed on Oct 7", organization=example_lab), date(2025, 10, 7))
    make_entry(make_paper(title="Listed on Oct 20", organization=example_lab), date(2025, 10, 20))
    make_paper(title="Never listed", organization=example_lab)

    day = _org_week(client, "?date=2025-10-07")
    week = _org_week(client, "?week=2025-W41")
    month = _org_week(client, "?month=2025-10")
    everything = _org_week(client, "")

    assert "Listed on Oct 7" in day and "Listed on Oct 20" not in day
    assert "Listed on Oct 7" in week and "Listed on Oct 20" not in week
    assert "Listed on Oct 7" in month and "Listed on Oct 20" in month
    assert "Never listed" not in month and "Never listed" in everything
    assert 'href="?week=2025-W40"' in week and "Week 41, 2025" in week  # previous week, label


def test_its_pager_keeps_the_period(client, example_lab, settings):
    settings.PAPERBOY_PAGE_SIZE = 1
    for n in range(2):
        make_entry(make_paper(organization=example_lab, imported_upvotes=n), date(2025, 10, 7))

    html = _org_week(client, "?week=2025-W41")

    assert 'href="?week=2025-W41&amp;p=2"' in html or 'href="?week=2025-W41&p=2"' in html


def test_a_malformed_period_is_a_helpful_404(client, example_lab):
    response = client.get("/example-lab/papers?week=2025-W60")

    assert response.status_code == 404
    assert "2025-W60" in response.content.decode()


@pytest.mark.parametrize("query", ["date=9999-12-31", "week=0001-W01", "month=9999-12"])
def test_a_period_at_the_end_of_the_calendar_is_a_helpful_404(client, example_lab, query):
    response = client.get(f"/example-lab/papers?{query}")

    assert response.status_code == 404
    assert "No papers were listed in" in response.content.decode()
