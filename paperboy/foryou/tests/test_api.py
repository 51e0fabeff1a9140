"""GET /api/for_you and POST/DELETE /api/papers/{id}/not_interested, with personal tokens."""

from datetime import timedelta

import pytest
from django.utils import timezone

from paperboy.accounts.tokens import ApiToken
from paperboy.api import schemas
from paperboy.api.foryou import ForYouItem
from paperboy.feed import votes
from paperboy.foryou.models import Dismissal
from paperboy.foryou.tasks import retrain


def bearer(user, scope=ApiToken.Scope.API) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t', scope=scope)[1]}"}


@pytest.fixture
def fan(alice, topics):
    for p in topics["graphs"][:3]:
        votes.upvote(user_id=alice.pk, paper_id=p.pk)
    retrain(alice.pk)
    return alice


def test_for_you_lists_hf_shaped_items_with_a_reason(client, fan, topics):
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


def test_since_narrows_the_window_and_bad_values_are_a_400(client, fan, topics):
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
    assert long_ago.status_code == 200 and len(long_ago.json()) >= len(recent.json())
    assert client.get("/api/for_you", {"limit": 0}, **headers).status_code == 400
    assert client.get("/api/for_you", {"limit": 1000}, **headers).status_code == 400


def test_for_you_needs_an_api_token(client, fan):
    assert client.get("/api/for_you").status_code == 401
    assert client.get("/api/for_you", **bearer(fan, ApiToken.Scope.FEED)).status_code == 401
    client.force_login(fan)  # a session is not a token
    assert client.get("/api/for_you").status_code == 401


def test_not_interested_and_its_undo(client, fan, topics):
    paper = topics["graphs"][4]
    headers = bearer(fan)
    url = f"/api/papers/{paper.arxiv_id}/not_interested"
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
