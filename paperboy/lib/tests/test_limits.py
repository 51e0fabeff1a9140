"""Rate limits: the messages, and the per-IP limit of every limited action."""

import pytest

from paperboy.lib.limits import describe


def test_rates_read_as_english():
    assert describe("10/m") == "10 per minute"
    assert describe("5/2h") == "5 per 2 hours"
    assert describe("100/d") == "100 per day"


def test_rates_name_what_they_count():
    assert describe("10/m", "comments") == "10 comments per minute"
    assert describe("20/2h", "claims") == "20 claims per 2 hours"
    assert describe("1/h", "reports") == "1 report per hour"


USERS = ["alice", "bob", "bob"]  # two accounts, one network address


def _urls(action: str) -> list[tuple[str, dict]]:
    """Three distinct, valid requests for ``action``: (url, data)."""
    from datetime import timedelta

    from django.utils import timezone

    from paperboy.comments import discussion
    from paperboy.testing import make_paper, make_user

    recent = timezone.now() - timedelta(days=1)
    papers = [
        make_paper(arxiv_id=f"2510.9100{n}", authors=["Ada Lovelace"], published_at=recent)
        for n in range(3)
    ]
    if action == "submit":
        return [("/papers/submit", {"arxiv_id": p.arxiv_id}) for p in papers]
    if action == "claim":
        ada = papers[0].authors.get().pk
        return [(f"/papers/{p.arxiv_id}/claim", {"author": ada}) for p in papers]
    dana = make_user("dana")
    comments = [discussion.post(user=dana, paper=p, body="meh") for p in papers]
    return [(f"/comments/{c.pk}/report", {"reason": "spam"}) for c in comments]


@pytest.mark.parametrize(
    ("action", "model"),
    [
        ("submit", "feed.DailyEntry"),
        ("claim", "accounts.AuthorClaim"),
        ("report", "comments.Report"),
    ],
)
def test_the_per_ip_limit_catches_several_accounts(client, settings, alice, bob, action, model):
    from django.apps import apps

    settings.PAPERBOY_RATE_LIMITS = {action: {"user": "100/h", "ip": "2/h"}}
    users = {"alice": alice, "bob": bob}
    responses = []
    for username, (url, data) in zip(USERS, _urls(action), strict=True):
        client.force_login(users[username])
        responses.append(client.post(url, data))

    assert [r.status_code for r in responses[:2]] == [302, 302]
    assert responses[2].status_code == 429
    assert "at most 2 " in responses[2].content.decode()
    assert "from one network address" in responses[2].content.decode()
    assert apps.get_model(model).objects.count() == 2
