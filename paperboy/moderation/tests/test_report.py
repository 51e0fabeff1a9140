"""POST /comments/<pk>/report: readers flag comments for the moderators."""

import pytest

from paperboy.comments import discussion
from paperboy.comments.models import Report
from paperboy.testing import make_paper

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def comment(alice):
    return discussion.post(user=alice, paper=make_paper(), body="questionable")


def test_a_reader_reports_a_comment(client, bob, comment):
    client.force_login(bob)

    response = client.post(f"/comments/{comment.pk}/report", {"reason": "spam"}, **HTMX)

    assert response.status_code == 200
    assert "the moderators will look" in response.content.decode()
    report = Report.objects.get()
    assert (report.comment, report.reporter, report.reason) == (comment, bob, "spam")


def test_reporting_twice_own_comments_or_without_reason_is_refused(client, alice, bob, comment):
    client.force_login(bob)
    client.post(f"/comments/{comment.pk}/report", {"reason": "spam"})
    assert client.post(f"/comments/{comment.pk}/report", {"reason": "spam"}).status_code == 409
    assert client.post(f"/comments/{comment.pk}/report", {"reason": "bogus"}).status_code == 400
    client.force_login(alice)
    assert client.post(f"/comments/{comment.pk}/report", {"reason": "spam"}).status_code == 403
    assert Report.objects.count() == 1


def test_visitors_must_sign_in(client, comment):
    response = client.post(f"/comments/{comment.pk}/report", {"reason": "spam"})
    assert response.status_code == 302 and not Report.objects.exists()


def test_reports_are_rate_limited(client, alice, bob, settings):
    settings.PAPERBOY_RATE_LIMITS = {"report": {"user": "1/h", "ip": "100/h"}}
    paper = make_paper()
    first = discussion.post(user=alice, paper=paper, body="one")
    second = discussion.post(user=alice, paper=paper, body="two")
    client.force_login(bob)

    client.post(f"/comments/{first.pk}/report", {"reason": "spam"})
    response = client.post(f"/comments/{second.pk}/report", {"reason": "spam"}, **HTMX)

    assert (
        response.status_code == 429
        and "at most 1 report per hour from one account" in response.content.decode()
    )
    assert Report.objects.count() == 1
