"""A member's recommendations, dismissals, alerts and feeds are theirs only: another member,
a visitor and another account's token see and change none of them."""

import xml.etree.ElementTree as ET

import pytest

from paperboy.accounts.tokens import ApiToken
from paperboy.feed import votes
from paperboy.foryou import alerts, engine
from paperboy.foryou.models import Dismissal, SavedSearch, TopicMute
from paperboy.foryou.tasks import train_member


def token(user, scope=ApiToken.Scope.API) -> str:
    return ApiToken.issue(user=user, name="t", scope=scope)[1]


@pytest.fixture
def two(alice, bob, topics):
    """Alice reads graphs (and dismissed one graph paper), Bob reads speech."""
    for p in topics["graphs"][:3]:
        votes.upvote(user_id=alice.pk, paper_id=p.pk)
    for p in topics["speech"][:3]:
        votes.upvote(user_id=bob.pk, paper_id=p.pk)
    engine.dismiss(alice, topics["graphs"][3])
    SavedSearch.objects.create(member=alice, query="alice's secret topic")
    TopicMute.objects.create(member=alice, kind="category", key="cs.SP")
    train_member.call(alice.pk)
    train_member.call(bob.pk)
    return alice, bob


def test_a_visitor_gets_none_of_the_pages_or_actions(client, two, topics):
    for url in ["/for-you", "/for-you/start", "/alerts"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    paper = topics["graphs"][4]
    for url in [
        f"/for-you/not-interested/{paper.arxiv_id}",
        f"/for-you/not-interested/{topics['graphs'][3].arxiv_id}/undo",
        "/for-you/reset",
        "/for-you/fewer",
        "/alerts",
    ]:
        assert client.post(url, {"q": "x", "kind": "category", "key": "x"}).status_code == 302
    assert Dismissal.objects.count() == 1 and SavedSearch.objects.count() == 1
    assert TopicMute.objects.count() == 1
    assert client.get("/").status_code == 302 and client.get("/")["Location"] == "/papers"


def test_another_member_sees_their_own_for_you_only(client, two, topics):
    alice, bob = two
    client.force_login(bob)
    html = client.get("/for-you").content.decode()
    shown = {c.paper.pk for c in client.get("/for-you").context["cards"][:4]}
    assert shown <= {p.pk for p in topics["speech"]}
    assert "alice's secret topic" not in html and "cs.SP" not in html
    assert "alice's secret topic" not in client.get("/alerts").content.decode()
    # Undoing or resetting touches only Bob's own rows.
    client.post(f"/for-you/not-interested/{topics['graphs'][3].arxiv_id}/undo")
    client.post("/for-you/reset")
    assert Dismissal.objects.filter(member=alice).count() == 1
    assert TopicMute.objects.filter(member=alice).count() == 1
    search = SavedSearch.objects.get(member=alice)
    assert client.post(f"/alerts/searches/{search.pk}/delete").status_code == 404


def test_another_account_s_token_reads_and_changes_its_own_only(client, two, topics):
    alice, bob = two
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(bob)}"}
    items = client.get("/api/for_you", {"limit": 4}, **headers).json()
    assert {i["paper"]["id"] for i in items} <= {p.arxiv_id for p in topics["speech"]}
    dismissed = topics["graphs"][3].arxiv_id
    # Alice dismissed it, Bob did not: his undo is a 404 and hers stays.
    assert client.delete(f"/api/papers/{dismissed}/not_interested", **headers).status_code == 404
    assert Dismissal.objects.filter(member=alice).count() == 1
    # Bob's dismissal is his own.
    assert client.post(f"/api/papers/{dismissed}/not_interested", **headers).status_code == 201
    assert Dismissal.objects.filter(member=bob).count() == 1


def test_each_private_feed_is_its_member_s(client, two, topics):
    alice, bob = two
    feed = client.get(f"/feeds/for-you/{token(bob, ApiToken.Scope.FEED)}.rss")
    titles = [i.findtext("title") for i in ET.fromstring(feed.content).iter("item")]
    assert set(titles[:5]) == {p.title for p in topics["speech"][3:]}  # his, not hers
    search = SavedSearch.objects.get(member=alice)
    forged = alerts.feed_token(bob, alerts.from_search(search))
    assert client.get(f"/feeds/alerts/{forged}.rss").status_code == 404
