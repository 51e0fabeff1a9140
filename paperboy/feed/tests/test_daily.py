"""The daily list: /papers and /papers/date/YYYY-MM-DD."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperboy.papers.models import Organization
from paperboy.testing import PASSWORD, make_entry, make_paper

TODAY = date(2025, 10, 8)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime(2025, 10, 8, 15, 0, tzinfo=UTC), tick=False):
        yield


def test_papers_shows_todays_list_ranked_by_upvotes(client, db):
    make_entry(make_paper(title="Few votes", imported_upvotes=2), TODAY)
    make_entry(make_paper(title="Many votes", imported_upvotes=40), TODAY)
    make_entry(make_paper(title="Some votes", imported_upvotes=7), TODAY)

    response = client.get("/papers")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Many votes") < html.index("Some votes") < html.index("Few votes")
    assert "Oct 8, 2025" in html  # the date chip


def test_papers_falls_back_to_the_latest_day_with_papers(client, db):
    make_entry(make_paper(title="Older paper"), date(2025, 10, 1))
    make_entry(make_paper(title="Latest paper"), date(2025, 10, 6))

    response = client.get("/papers")

    html = response.content.decode()
    assert "Latest paper" in html
    assert "Older paper" not in html
    assert "No papers on today's list yet" in html
    assert "Oct 6, 2025" in html


def test_the_header_has_search_subscribe_and_submit(client, db):
    html = client.get("/papers").content.decode()
    assert 'action="/papers/search"' in html
    assert "Get trending papers in your email inbox" in html
    assert "Subscribe" in html
    assert 'href="/papers/submit"' in html
    assert 'href="/accounts/login/' in html


def test_a_card_shows_organization_date_votes_comments_and_code(client, db):
    lab = Organization.objects.create(slug="tau", name="Tel Aviv University")
    paper = make_paper(
        title="Mixing Mechanisms",
        abstract="We bind $\\alpha$ to $\\beta$ in context.",
        published_at=datetime(2025, 10, 7, 17, 0, tzinfo=UTC),
        github_repo="https://github.com/example/mixing",
        github_stars=321,
        imported_upvotes=12,
        comments_count=3,
        organization=lab,
    )
    make_entry(paper, TODAY)

    html = client.get("/papers").content.decode()

    assert f'href="/papers/{paper.arxiv_id}"' in html
    assert "We bind $\\alpha$ to $\\beta$ in context." in html  # KaTeX renders it in the page
    assert "Tel Aviv University" in html and 'href="/tau/papers"' in html
    assert "TA" in html  # initials avatar
    assert "Oct 7, 2025" in html
    assert '<span class="count">12</span>' in html
    assert '3<span class="visually-hidden"> comments</span>' in html
    assert 'href="https://github.com/example/mixing"' in html and "★ 321" in html


def test_a_card_without_organization_counts_authors_and_hides_zeros(client, db):
    make_entry(make_paper(authors=["A. One", "B. Two", "C. Three", "D. Four"]), TODAY)

    html = client.get("/papers").content.decode()

    assert "4 authors" in html
    assert '<span class="count"></span>' in html
    assert "comment" not in html.split('class="cards"')[1].split("</article>")[0].lower()


def test_a_card_shows_tex_quotes_and_dashes_as_typeset_characters(client, db):
    make_entry(
        make_paper(
            title="Grounding ``this bottle'' --- a study",
            abstract="Requests such as ``open this bottle'' need 2019--2021 data; $f''(x)$ stays.",
        ),
        TODAY,
    )

    html = client.get("/papers").content.decode()

    assert "Grounding \u201cthis bottle\u201d \u2014 a study" in html
    assert "\u201copen this bottle\u201d need 2019\u20132021 data;" in html
    assert "$f&#x27;&#x27;(x)$ stays." in html


def test_it_uses_no_cdn(client, db):
    html = client.get("/papers").content.decode()
    assert "/static/vendor/htmx.min.js" in html
    assert "/static/vendor/katex/katex.min.js" in html
    assert "cdn" not in html.lower()


def test_a_date_page_shows_only_that_day(client, db):
    make_entry(make_paper(title="On the fifth"), date(2025, 10, 5))
    make_entry(make_paper(title="On the sixth"), date(2025, 10, 6))

    response = client.get("/papers/date/2025-10-05")

    assert response.status_code == 200
    html = response.content.decode()
    assert "On the fifth" in html and "On the sixth" not in html
    # the chip steps to the next day that has papers
    assert 'href="/papers/date/2025-10-06" rel="next"' in html


def test_an_empty_day_links_to_the_nearest_days_with_papers(client, db):
    make_entry(make_paper(), date(2025, 10, 1))
    make_entry(make_paper(), date(2025, 10, 6))

    response = client.get("/papers/date/2025-10-04")

    assert response.status_code == 200
    html = response.content.decode()
    assert "No papers on Oct 4, 2025" in html
    assert 'href="/papers/date/2025-10-01"' in html
    assert 'href="/papers/date/2025-10-06"' in html
    assert "The nearest days with papers:" in html


def test_an_empty_day_with_papers_on_one_side_names_that_side(client, db):
    make_entry(make_paper(), date(2025, 10, 6))

    html = client.get("/papers/date/2025-10-04").content.decode()
    assert "The next day with papers:" in html
    assert 'href="/papers/date/2025-10-06"' in html
    assert "nearest days" not in html

    html = client.get("/papers/date/2025-10-08").content.decode()
    assert "The latest day with papers before it:" in html
    assert 'href="/papers/date/2025-10-06"' in html


def test_hidden_papers_leave_the_list(client, db):
    make_entry(make_paper(title="Visible one"), TODAY)
    make_entry(make_paper(title="Hidden one", hidden=True), TODAY)

    html = client.get("/papers").content.decode()

    assert "Visible one" in html and "Hidden one" not in html


@pytest.mark.parametrize(
    "day", ["2025-02-30", "2025-13-01", "yesterday", "2025-1-1", "9999-12-31", "0001-01-01"]
)
def test_an_impossible_date_is_a_helpful_404(client, db, day):
    response = client.get(f"/papers/date/{day}")

    assert response.status_code == 404
    html = response.content.decode()
    assert "We couldn't find that" in html
    assert 'href="/papers"' in html
    assert "no such day" in html or "YYYY-MM-DD" in html or "No papers were listed in" in html


def test_it_paginates(client, db, settings):
    settings.PAPERBOY_PAGE_SIZE = 2
    for n in range(5):
        make_entry(make_paper(title=f"Paper number {n}", imported_upvotes=10 - n), TODAY)

    first = client.get("/papers").content.decode()
    third = client.get("/papers?p=3").content.decode()

    assert "Paper number 0" in first and "Paper number 2" not in first
    assert "Page 1 of 3" in first and 'href="?p=2"' in first
    assert "Paper number 4" in third and "Paper number 0" not in third


@pytest.mark.parametrize("page", ["0", "-1", "abc", "9"])
def test_a_page_number_out_of_range_is_404(client, db, page):
    make_entry(make_paper(), TODAY)
    assert client.get(f"/papers?p={page}").status_code == 404


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_uses_a_constant_number_of_queries(client, db, django_assert_num_queries):
    lab = Organization.objects.create(slug="lab", name="A Lab")
    make_entry(make_paper(organization=lab), TODAY)
    few = _count_queries(client, "/papers")
    for n in range(15):
        make_entry(make_paper(organization=lab if n % 2 else None, imported_upvotes=n), TODAY)

    # latest day, nearest day before and after, count, the page's ids, its entries
    with django_assert_num_queries(6):
        client.get("/papers")
    assert _count_queries(client, "/papers") == few
    assert _count_queries(client, "/papers/date/2025-10-08") == few - 1


def test_a_signed_in_list_uses_a_constant_number_of_queries(client, alice, bob):
    from paperboy.feed import votes

    papers = [make_paper(imported_upvotes=n) for n in range(3)]
    for p in papers:
        make_entry(p, TODAY)
    client.login(username="alice", password=PASSWORD)
    _count_queries(client, "/papers")  # the user row is read once, then from the cache
    few = _count_queries(client, "/papers")
    for _ in range(12):
        p = make_paper()
        make_entry(p, TODAY)
        votes.upvote(user_id=alice.pk, paper_id=p.pk)
        votes.upvote(user_id=bob.pk, paper_id=p.pk)

    assert _count_queries(client, "/papers") == few
    assert client.get("/papers").content.decode().count('aria-pressed="true"') == 12
