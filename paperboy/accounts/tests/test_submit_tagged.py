"""Submitting a paper tagged with the submitter's organization; the submission rate limit."""

from datetime import timedelta

from django.utils import timezone

from paperboy.feed.models import DailyEntry
from paperboy.papers.models import Organization
from paperboy.testing import make_paper


def fresh(arxiv_id):
    return make_paper(arxiv_id=arxiv_id, published_at=timezone.now() - timedelta(days=1))


def test_a_member_tags_a_submission_with_their_organization(client, alice, example_lab):
    fresh("2510.30001")
    client.force_login(alice)
    assert "Tag with your organization" in client.get("/papers/submit").content.decode()

    response = client.post(
        "/papers/submit", {"arxiv_id": "2510.30001", "organization": example_lab.pk}
    )

    assert response.status_code == 302
    assert DailyEntry.objects.get().organization == example_lab
    assert "2510.30001" in client.get("/example-lab/papers").content.decode()


def test_nobody_tags_with_an_organization_they_do_not_belong_to(client, alice, example_lab):
    other = Organization.objects.create(slug="other", name="Other Org")
    fresh("2510.30002")
    client.force_login(alice)

    response = client.post("/papers/submit", {"arxiv_id": "2510.30002", "organization": other.pk})

    assert "Select a valid choice" in response.content.decode()
    assert not DailyEntry.objects.exists()


def test_without_memberships_there_is_no_organization_field(client, example_lab, db):
    from paperboy.testing import make_user

    dana = make_user("dana")
    client.force_login(dana)
    assert "Tag with your organization" not in client.get("/papers/submit").content.decode()


def test_submissions_are_rate_limited_with_a_clear_message(client, alice, settings):
    settings.PAPERBOY_RATE_LIMITS = {"submit": {"user": "2/h", "ip": "100/h"}}
    client.force_login(alice)
    for n in range(2):
        fresh(f"2510.3010{n}")  # in the catalog: nothing is fetched from arXiv
        client.post("/papers/submit", {"arxiv_id": f"2510.3010{n}"})
    assert DailyEntry.objects.count() == 2

    response = client.post("/papers/submit", {"arxiv_id": "2510.30109"})

    assert response.status_code == 429
    assert "at most 2 submissions per hour from one account" in response.content.decode()
    assert DailyEntry.objects.count() == 2
    assert client.get("/papers/submit").status_code == 200  # reading the form is free
