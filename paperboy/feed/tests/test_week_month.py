"""Weekly and monthly lists: /papers/week/YYYY-Www and /papers/month/YYYY-MM."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from paperboy.testing import make_entry, make_paper


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime(2025, 10, 20, 12, 0, tzinfo=UTC), tick=False):
        yield


def test_a_week_lists_monday_to_sunday_by_upvotes(client, db):
    make_entry(make_paper(title="Sunday before", imported_upvotes=99), date(2025, 10, 5))
    make_entry(make_paper(title="Monday paper", imported_upvotes=3), date(2025, 10, 6))
    make_entry(make_paper(title="Sunday paper", imported_upvotes=30), date(2025, 10, 12))
    make_entry(make_paper(title="Next Monday", imported_upvotes=99), date(2025, 10, 13))

    response = client.get("/papers/week/2025-W41")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Sunday paper") < html.index("Monday paper")
    assert "Sunday before" not in html and "Next Monday" not in html
    assert "Week 41, 2025" in html
    assert 'href="/papers/week/2025-W40" rel="prev"' in html
    assert 'href="/papers/week/2025-W42" rel="next"' in html
    assert 'href="/papers/week/2025-W41" aria-current="page"' in html


def test_a_month_lists_its_papers_by_upvotes(client, db):
    make_entry(make_paper(title="Early October", imported_upvotes=1), date(2025, 10, 1))
    make_entry(make_paper(title="Late October", imported_upvotes=5), date(2025, 10, 20))
    make_entry(make_paper(title="September", imported_upvotes=50), date(2025, 9, 30))

    response = client.get("/papers/month/2025-10")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Late October") < html.index("Early October")
    assert "September" not in html.split('class="cards"')[1]
    assert "October 2025" in html
    assert 'href="/papers/month/2025-09" rel="prev"' in html
    # November has not started yet: no link into the future
    assert "/papers/month/2025-11" not in html


def test_an_empty_month_points_to_the_nearest_days_with_papers(client, db):
    make_entry(make_paper(), date(2025, 6, 3))
    make_entry(make_paper(), date(2025, 10, 2))

    html = client.get("/papers/month/2025-08").content.decode()

    assert "No papers in August 2025" in html
    assert 'href="/papers/date/2025-06-03"' in html
    assert 'href="/papers/date/2025-10-02"' in html


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/papers/week/2025-W60", "2025 has no week 60"),
        ("/papers/week/2025-W53", "2025 has no week 53"),
        ("/papers/week/2025-41", "is not a week"),
        ("/papers/month/2025-13", "no such month"),
        ("/papers/month/2025-1", "is not a month"),
        ("/papers/week/9999-W52", "No papers were listed in 9999-W52"),
        ("/papers/week/0001-W01", "No papers were listed in 0001-W01"),
        ("/papers/month/9999-12", "No papers were listed in 9999-12"),
    ],
)
def test_malformed_weeks_and_months_are_helpful_404s(client, db, url, message):
    response = client.get(url)

    assert response.status_code == 404
    assert message in response.content.decode()


def test_week_and_month_pages_use_a_constant_number_of_queries(client, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_entry(make_paper(), date(2025, 10, 7))

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    week, month = count("/papers/week/2025-W41"), count("/papers/month/2025-10")
    for n in range(10):
        make_entry(make_paper(), date(2025, 10, 6 + n % 7))
    assert count("/papers/week/2025-W41") == week == 5
    assert count("/papers/month/2025-10") == month == 5
