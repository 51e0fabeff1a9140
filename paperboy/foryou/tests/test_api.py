"""GET /api/for_you and POST/DELETE /api/papers/{id}/not_interested, with personal tokens.

GET /api/for_you reads the member's stored picks (``picks.serve``, the page's door): a request
scores nothing (``refuse_scoring`` makes the test fail if it does)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from paperboy.accounts.tokens import ApiToken
from paperboy.api import schemas
from paperboy.api.foryou import ForYouItem, PickingOut
from paperboy.feed import votes
from paperboy.foryou import engine, picks
from paperboy.foryou.models import Dismissal
from paperboy.foryou.tasks import refresh_picks, train_member


def bearer(user, scope=ApiToken.Scope.API) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t', scope=scope)[1]}"}


@pytest.fixture
def fan(alice, topics):
    for p in topics["graphs"][:3]:
        votes.upvote(user_id=alice.pk, paper_id=p.pk)
    train_member.call(alice.pk)  # what the upvotes enqueue: retrains, stores her picks
    return alice


def refuse_scoring(monkeypatch) -> None:
    """From here on, scoring the window fails the test (it belongs to the task worker)."""

    def refuse(*args, **kwargs):
        raise AssertionError("the window was scored on the request")

    for name in ("_recommend_batch", "recommend", "recommend_many", "window_papers"):
        monkeypatch.setattr(engine, name, refuse)


def refreshes_queued() -> int:
    return DBTaskResult.objects.filter(task_path="paperboy.foryou.tasks.refresh_picks").count()


def test_for_you_lists_hf_shaped_items_with_a_reason(client, fan, topics, monkeypatch):
    refuse_scoring(monkeypatch)
    response = client.get("/api/for_you", {"limit": 5}, **bearer(fan))
    assert response.status_code == 200
    items = response.json()
    assert [i["paper"]["id"] for i in items] and len(items) == 5
    assert {i["paper"]["id"] for i in items} == {p.arxiv_id for p in topics["graphs"][3:]}
    for item in items:
        ForYouItem.model_validate(item, strict=True)  # a daily-papers item, plus the reasons
        assert item["reason"].startswith("Like “")
        assert item["reasons"][0]["kind"] == "similar"
        assert item["reasons"][0]["url"].startswith("http://")


def test_since_narrows_the_window_and_bad_values_are_a_400(client, fan, topics, monkeypatch):
    refuse_scoring(monkeypatch)
    today = timezone.localdate()
    headers = bearer(fan)
    recent = client.get("/api/for_you", {"since": today.isoformat(), "limit": 50}, **headers)
    assert recent.status_code == 200
    assert len(recent.json()) < len(client.get("/api/for_you", {"limit": 50}, **headers).json())
    for bad in ["2025-02-30", "yesterday", "2025-1-1x"]:
        response = client.get("/api/for_you", {"since": bad}, **headers)
        assert response.status_code == 400, bad
        assert "since" in response.json()["error"]
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert client.get("/api/for_you", {"since": tomorrow}, **headers).json() == []
    long_ago = client.get("/api/for_you", {"since": "2001-01-01", "limit": 50}, **headers)
    # The picks cover the For you window: an earlier date is its first day.
    assert long_ago.json() == client.get("/api/for_you", {"limit": 50}, **headers).json()
    # ``since`` keeps the stored order, and only papers published from that day on.
    two_days = today - timedelta(days=2)
    narrowed = client.get("/api/for_you", {"since": two_days.isoformat(), "limit": 50}, **headers)
    ids = [i["paper"]["id"] for i in long_ago.json()]
    kept = [i["paper"]["id"] for i in narrowed.json()]
    assert kept and len(kept) < len(ids) and kept == [i for i in ids if i in kept]
    published = {p.arxiv_id: p.published_at for ps in topics.values() for p in ps}
    assert all(timezone.localdate(published[i]) >= two_days for i in kept)
    # More than is stored: what is stored (and nothing scored).
    most = client.get("/api/for_you", {"limit": 100}, **headers)
    assert most.status_code == 200 and len(most.json()) <= picks.STORED
    assert client.get("/api/for_you", {"limit": 0}, **headers).status_code == 400
    assert client.get("/api/for_you", {"limit": 1000}, **headers).status_code == 400


def test_for_you_needs_an_api_token(client, fan):
    assert client.get("/api/for_you").status_code == 401
    assert client.get("/api/for_you", **bearer(fan, ApiToken.Scope.FEED)).status_code == 401
    client.force_login(fan)  # a session is not a token
    assert client.get("/api/for_you").status_code == 401


def test_not_interested_and_its_undo(client, fan, topics, monkeypatch):
    paper = topics["graphs"][4]
    headers = bearer(fan)
    url = f"/api/papers/{paper.arxiv_id}/not_interested"
    before = [i["paper"]["id"] for i in client.get("/api/for_you", {"limit": 50}, **headers).json()]
    assert paper.arxiv_id in before
    refuse_scoring(monkeypatch)  # the stored picks leave it out before any retraining
    response = client.post(url, **headers)
    assert response.status_code == 201, response.content
    assert response.json() == {"id": paper.arxiv_id, "notInterested": True}
    ids = [i["paper"]["id"] for i in client.get("/api/for_you", {"limit": 50}, **headers).json()]
    assert paper.arxiv_id not in ids
    twice = client.post(url, **headers)
    assert twice.status_code == 409 and "already" in twice.json()["error"]
    assert Dismissal.objects.filter(member=fan).count() == 1
    assert client.delete(url, **headers).json() == {"id": paper.arxiv_id, "notInterested": False}
    again = client.delete(url, **headers)
    assert again.status_code == 404 and "not marked" in again.json()["error"]
    assert not Dismissal.objects.exists()


def test_not_interested_in_a_paper_that_does_not_exist_changes_nothing(client, fan):
    for arxiv_id in ["2501.99999", "not-an-id"]:
        response = client.post(f"/api/papers/{arxiv_id}/not_interested", **bearer(fan))
        assert response.status_code == 404
        assert response.json()["error"]
    assert client.post("/api/papers/2501.99999/not_interested").status_code == 401
    assert not Dismissal.objects.exists()


def test_the_endpoints_are_in_the_openapi_document(client):
    spec = client.get("/api/openapi.json").json()
    assert "get" in spec["paths"]["/api/for_you"]
    assert {"post", "delete"} <= set(spec["paths"]["/api/papers/{arxiv_id}/not_interested"])
    item = spec["paths"]["/api/for_you"]["get"]["responses"]["200"]["content"]
    properties = item["application/json"]["schema"]["items"]["properties"]
    assert {"reason", "reasons", "paper", "title"} <= set(properties)
    assert properties["paper"] == schemas.ref("Paper")


def test_an_unknown_parameter_is_a_400(client, fan):
    response = client.get("/api/for_you", {"sinse": "2025-01-01"}, **bearer(fan))
    assert response.status_code == 400 and "sinse" in response.json()["error"]


def test_a_first_call_scores_nothing_says_the_picks_are_coming_and_has_them_picked(
    client, alice, topics, monkeypatch
):
    for p in topics["graphs"][:3]:
        votes.upvote(user_id=alice.pk, paper_id=p.pk)
    picks.forget(alice.pk)  # nothing stored: a first call, or a cache that lost them
    headers = bearer(alice)
    with monkeypatch.context() as patched:
        refuse_scoring(patched)
        first = client.get("/api/for_you", **headers)
        again = client.get("/api/for_you", {"since": "2001-01-01"}, **headers)
    assert first.status_code == 202 and first["Retry-After"] == "5"
    body = first.json()
    PickingOut.model_validate(body, strict=True)
    assert body["status"] == "picking" and body["items"] == []
    assert "being picked" in body["message"]
    assert again.status_code == 202
    assert refreshes_queued() == 1  # once, however often it asks
    refresh_picks.call(alice.pk)  # the worker
    with monkeypatch.context() as patched:
        refuse_scoring(patched)
        filled = client.get("/api/for_you", {"limit": 5}, **headers)
    assert filled.status_code == 200
    assert {i["paper"]["id"] for i in filled.json()} == {p.arxiv_id for p in topics["graphs"][3:]}


def test_stale_picks_are_served_and_recomputed_in_the_background(client, fan, monkeypatch):
    headers = bearer(fan)
    fresh = client.get("/api/for_you", **headers).json()
    assert refreshes_queued() == 0
    stored = picks.stored(fan.pk)
    monkeypatch.setattr(picks.time, "time", lambda: stored.computed_at + picks.MAX_AGE + 1)
    refuse_scoring(monkeypatch)
    assert client.get("/api/for_you", **headers).json() == fresh
    assert refreshes_queued() == 1


def test_each_token_reads_its_own_member_s_picks(client, fan, bob, topics, monkeypatch):
    for p in topics["speech"][:3]:
        votes.upvote(user_id=bob.pk, paper_id=p.pk)
    refuse_scoring(monkeypatch)
    # Bob has none stored yet: he is told so, and never gets Alice's.
    response = client.get("/api/for_you", **bearer(bob))
    assert response.status_code == 202 and response.json()["items"] == []
    monkeypatch.undo()
    train_member.call(bob.pk)
    refuse_scoring(monkeypatch)
    items = client.get("/api/for_you", {"limit": 5}, **bearer(bob)).json()
    assert {i["paper"]["id"] for i in items} == {p.arxiv_id for p in topics["speech"][3:]}
    assert client.get("/api/for_you").status_code == 401  # a visitor


def test_the_picking_answer_is_in_the_openapi_document(client):
    spec = client.get("/api/openapi.json").json()
    picking = spec["paths"]["/api/for_you"]["get"]["responses"]["202"]
    assert "Retry-After" in picking["headers"]
    schema = picking["content"]["application/json"]["schema"]
    assert {"status", "message", "items"} <= set(schema["properties"])


def test_a_hidden_paper_never_names_a_reason(fan, topics):
    """A paper of alice's hidden by a moderator leaves the reasons at once ("Like <title>")."""
    from paperboy.papers.models import Paper

    served = picks.serve(fan.pk, limit=30)
    named = {r.paper.pk for rec in served for r in rec.reasons if r.paper is not None}
    assert named  # the picks are explained by alice's upvoted papers
    Paper.objects.filter(pk__in=named).update(hidden=True)

    again = picks.serve(fan.pk, limit=30)
    assert not {r.paper.pk for rec in again for r in rec.reasons if r.paper is not None} & named
