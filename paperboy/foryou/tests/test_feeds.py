"""The private feeds: For you at a feed-token URL, and one per alert at a signed address."""

import xml.etree.ElementTree as ET

import pytest
from django.core import signing
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from paperboy.accounts.models import Follow
from paperboy.accounts.tokens import ApiToken
from paperboy.feed import votes
from paperboy.foryou import alerts, engine, picks
from paperboy.foryou.models import SavedSearch
from paperboy.foryou.tasks import refresh_picks, train_member
from paperboy.papers.models import Author
from paperboy.testing import make_paper


def rss_titles(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [i.findtext("title") for i in ET.fromstring(response.content).iter("item")]


def feed_token(user) -> str:
    return ApiToken.issue(user=user, name="feed", scope=ApiToken.Scope.FEED)[1]


def refuse_scoring(monkeypatch) -> None:
    """From here on, scoring the window fails the test (it belongs to the task worker)."""

    def refuse(*args, **kwargs):
        raise AssertionError("the window was scored on the request")

    for name in ("_recommend_batch", "recommend", "recommend_many", "window_papers"):
        monkeypatch.setattr(engine, name, refuse)


def test_the_for_you_feed_is_the_page_s_stored_picks(client, alice, topics, monkeypatch):
    for p in topics["graphs"][:3]:
        votes.upvote(user_id=alice.pk, paper_id=p.pk)
    train_member.call(alice.pk)  # what the upvotes enqueue: retrains, stores her picks
    engine.dismiss(alice, topics["graphs"][3])
    refuse_scoring(monkeypatch)
    titles = rss_titles(client.get(f"/feeds/for-you/{feed_token(alice)}.rss"))
    assert set(titles[:4]) == {p.title for p in topics["graphs"][4:]}
    assert topics["graphs"][3].title not in titles  # dismissed after the picks were stored
    atom = client.get(f"/feeds/for-you/{feed_token(alice)}.atom")
    assert atom.status_code == 200 and b"<feed" in atom.content


def test_before_any_picks_the_feed_is_empty_and_says_they_are_being_picked(
    client, alice, topics, monkeypatch
):
    for p in topics["graphs"][:3]:
        votes.upvote(user_id=alice.pk, paper_id=p.pk)
    picks.forget(alice.pk)
    with monkeypatch.context() as patched:
        refuse_scoring(patched)
        response = client.get(f"/feeds/for-you/{feed_token(alice)}.rss")
        atom = client.get(f"/feeds/for-you/{feed_token(alice)}.atom")
    assert rss_titles(response) == []
    channel = ET.fromstring(response.content).find("channel")
    assert "being picked" in channel.findtext("description")
    assert b"being picked" in atom.content
    queued = DBTaskResult.objects.filter(task_path="paperboy.foryou.tasks.refresh_picks")
    assert queued.count() == 1
    refresh_picks.call(alice.pk)  # the worker
    refuse_scoring(monkeypatch)
    filled = client.get(f"/feeds/for-you/{feed_token(alice)}.rss")
    assert set(rss_titles(filled)[:5]) == {p.title for p in topics["graphs"][3:]}
    assert b"being picked" not in filled.content


def test_without_signals_the_for_you_feed_is_trending(client, alice):
    refresh_picks.call(alice.pk)
    response = client.get(f"/feeds/for-you/{feed_token(alice)}.rss")
    assert rss_titles(response) == [] and b"being picked" not in response.content


@pytest.mark.parametrize(("token", "status"), [("pb_nope", 404), ("x", 404), ("%00", 400)])
def test_for_you_needs_a_valid_feed_token(client, alice, token, status):
    # A NUL anywhere in a request is refused before any view (lib/requestguard).
    assert client.get(f"/feeds/for-you/{token}.rss").status_code == status


def test_api_tokens_and_revoked_tokens_do_not_open_a_feed(client, alice):
    api_token = ApiToken.issue(user=alice, name="api")[1]
    assert client.get(f"/feeds/for-you/{api_token}.rss").status_code == 404
    token, plaintext = ApiToken.issue(user=alice, name="feed", scope=ApiToken.Scope.FEED)
    token.revoke()
    assert client.get(f"/feeds/for-you/{plaintext}.atom").status_code == 404


def test_each_alert_has_its_own_feed_of_new_papers(client, alice, example_lab):
    search = SavedSearch.objects.create(member=alice, query="sparse router")
    make_paper(title="A sparse router for attention")
    make_paper(title="Dense everything", abstract="Nothing in common.")
    ada = Author.objects.get(name="Ada Lovelace")
    follow = Follow.objects.create(user=alice, author=ada)
    mine = {a.kind: a for a in alerts.for_member(alice)}
    search_feed = mine["search"].feed_url(alice).removeprefix("http://testserver")
    # Papers of 2025 are not new: the feed shows what appeared in the last month.
    assert rss_titles(client.get(search_feed)) == []
    make_paper(title="Sparse routers, new", published_at=timezone.now())
    assert rss_titles(client.get(search_feed)) == ["Sparse routers, new"]
    author_feed = mine["author"].feed_url(alice, "atom").removeprefix("http://testserver")
    assert client.get(author_feed).status_code == 200
    # Deleting the alert (or unfollowing) turns its address off.
    search.delete()
    follow.delete()
    assert client.get(search_feed).status_code == 404
    assert client.get(author_feed).status_code == 404


def test_a_tampered_alert_address_is_a_404(client, alice, bob):
    search = SavedSearch.objects.create(member=alice, query="graphs")
    token = alerts.feed_token(alice, alerts.from_search(search))
    assert client.get(f"/feeds/alerts/{token}.rss").status_code == 200
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/feeds/alerts/{forged}.rss").status_code == 404
    other_salt = signing.dumps({"u": alice.pk, "k": "search", "p": search.pk}, salt="x")
    assert client.get(f"/feeds/alerts/{other_salt}.rss").status_code == 404
    # Bob's own signed address cannot name Alice's alert.
    bobs = alerts.feed_token(bob, alerts.from_search(search))
    assert client.get(f"/feeds/alerts/{bobs}.rss").status_code == 404
    assert client.get("/feeds/alerts/nonsense.rss").status_code == 404
