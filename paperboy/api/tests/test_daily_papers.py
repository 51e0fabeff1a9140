"""GET /api/daily_papers: Hugging Face's parameters, shapes and errors."""

import pytest

from paperboy.feed.models import DailyEntry

pytestmark = pytest.mark.django_db


def get(client, **params):
    return client.get("/api/daily_papers", params)


def test_it_lists_a_day_most_upvoted_first_in_hf_shape(client, listed):
    response = get(client, date="2025-01-15")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    items = response.json()
    assert [i["paper"]["id"] for i in items] == ["2501.00101", "2501.00102", "2501.00103"]
    first = items[0]
    assert first["publishedAt"] == "2025-01-15T09:00:00.000Z"  # entered the daily list
    assert first["paper"]["publishedAt"] == "2025-01-14T18:00:00.000Z"  # arXiv date
    assert first["paper"]["submittedOnDailyAt"] == "2025-01-15T09:00:00.000Z"
    assert first["paper"]["upvotes"] == 3
    assert first["numComments"] == 0
    assert first["title"] == first["paper"]["title"] == "Most upvoted"
    assert first["summary"].startswith("We study sparse attention")
    assert [a["name"] for a in first["paper"]["authors"]] == [
        "Ada Lovelace",
        "Alan Turing",
        "Grace Hopper",
    ]
    assert first["paper"]["githubRepo"] == "https://github.com/example/one"
    assert first["paper"]["githubStars"] == 12
    assert first["paper"]["projectPage"] == "https://example.org/one"
    assert first["paper"]["ai_summary"] == "It is the most upvoted."
    assert first["paper"]["ai_keywords"] == ["upvotes", "tests"]
    assert first["organization"] == {
        "_id": str(listed[0].paper.organization_id),
        "name": "example-lab",
        "fullname": "Example Lab",
        "avatar": None,
    }
    assert first["submittedBy"]["user"] == "alice"
    assert first["submittedBy"]["fullname"] == "Alice Liddell"
    assert items[1]["submittedBy"]["user"] == "hf-user"
    assert items[2]["submittedBy"] is None
    assert items[2]["publishedAt"] == "2025-01-15T11:30:00.000Z"


def test_without_a_period_it_lists_the_latest_day(client, listed):
    items = get(client).json()
    assert [i["paper"]["id"] for i in items] == ["2501.00104"]


def test_it_lists_a_week_and_a_month(client, listed):
    assert len(get(client, week="2025-W03").json()) == 4
    assert len(get(client, month="2025-01").json()) == 4
    assert get(client, month="2025-02").json() == []


def test_it_pages_with_p_and_limit(client, listed):
    ids = [i["paper"]["id"] for i in get(client, month="2025-01", limit=2, p=0).json()]
    more = [i["paper"]["id"] for i in get(client, month="2025-01", limit=2, p=1).json()]
    assert len(ids) == len(more) == 2
    assert not set(ids) & set(more)
    assert get(client, month="2025-01", limit=2, p=5).json() == []


def test_it_sorts_by_trending(client, listed):
    DailyEntry.objects.filter(paper__arxiv_id="2501.00103").update(trending_score=1e9)
    items = get(client, sort="trending").json()
    assert items[0]["paper"]["id"] == "2501.00103"
    assert len(items) == 4


def test_it_filters_by_submitter(client, listed):
    assert [i["paper"]["id"] for i in get(client, submitter="alice").json()] == ["2501.00101"]
    assert [i["paper"]["id"] for i in get(client, submitter="hf-user").json()] == ["2501.00102"]
    assert get(client, submitter="nobody").json() == []


def test_hidden_papers_leave_the_list(client, listed):
    listed[0].paper.hidden = True
    listed[0].paper.save()
    ids = [i["paper"]["id"] for i in get(client, date="2025-01-15").json()]
    assert "2501.00101" not in ids


@pytest.mark.parametrize(
    "params",
    [
        {"date": "yesterday"},
        {"date": "2025-1-15"},
        {"week": "2025-41"},
        {"month": "2025-1"},
        {"date": "2025-01-15", "month": "May"},
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "ten"},
        {"p": "-1"},
        {"p": "1.5"},
        {"sort": "upvotes"},
        {"submitter": "a\x00b"},
        {"date": "x" * 500},
    ],
)
def test_bad_parameters_are_a_400_with_a_json_error(client, listed, params):
    response = get(client, **params)
    assert response.status_code == 400, response.content
    assert isinstance(response.json()["error"], str)
    assert response.json()["error"]


@pytest.mark.parametrize(
    "params",
    [
        {"date": "2025-13-01"},
        {"date": "2025-02-30"},
        {"week": "2025-W60"},
        {"month": "2025-13"},
        {"month": "0000-01"},
    ],
)
def test_a_period_written_right_but_not_in_the_calendar_is_a_404(client, listed, params):
    """The OpenAPI document gives the forms (YYYY-MM-DD, YYYY-Www, YYYY-MM): a value of that
    form is a valid request, and there is no such period to list."""
    response = get(client, **params)
    assert response.status_code == 404, response.content
    assert "no such" in response.json()["error"] or "no week" in response.json()["error"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"date": "2025-01-15", "month": "2025-01"}, ["2501.00101", "2501.00102", "2501.00103"]),
        ({"week": "2025-W03", "month": "2025-01"}, ["2501.00101", "2501.00102", "2501.00103",
                                                    "2501.00104"]),
        ({"date": "2025-01-16", "week": "2025-W03", "month": "2025-01"}, ["2501.00104"]),
        ({"date": "2025-01-15", "month": "2025-02"}, []),
    ],
)  # fmt: skip
def test_periods_given_together_list_the_days_they_share(client, listed, params, expected):
    """Each of date, week and month narrows the list (was a 400 for a request the document
    allows)."""
    response = get(client, **params)
    assert response.status_code == 200, response.content
    assert sorted(i["paper"]["id"] for i in response.json()) == expected


def test_a_page_of_fifty_takes_a_fixed_number_of_queries(
    client, listed, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        assert get(client, month="2025-01").status_code == 200
