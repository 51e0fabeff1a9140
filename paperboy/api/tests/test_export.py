"""GET /api/export/<kind> (staff tokens) and the JSONL it streams."""

import json

import pytest
from django.http import StreamingHttpResponse

from paperboy.api.tests.conftest import bearer
from paperboy.feed import votes

pytestmark = pytest.mark.django_db


def lines(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode()
    return [json.loads(line) for line in body.splitlines()]


def test_staff_export_daily_entries(client, listed, staff_token):
    response = client.get("/api/export/daily", **bearer(staff_token))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    assert "attachment" in response["Content-Disposition"]
    rows = lines(response)
    assert len(rows) == 4
    assert rows[0] == {
        "paper": "2501.00101",
        "day": "2025-01-15",
        "submitted_at": "2025-01-15T09:00:00.000Z",
        "submitted_by": "alice",
        "organization": None,
        "upvotes": 3,
        "trending_score": rows[0]["trending_score"],
    }
    assert rows[1]["submitted_by"] == "hf-user"


def test_staff_export_votes(client, listed, staff_token, alice, bob):
    votes.upvote(user_id=alice.pk, paper_id=listed[0].paper_id)
    votes.upvote(user_id=bob.pk, paper_id=listed[1].paper_id)
    rows = lines(client.get("/api/export/votes", **bearer(staff_token)))
    assert [(r["paper"], r["user"]) for r in rows] == [
        ("2501.00101", "alice"),
        ("2501.00102", "bob"),
    ]


def test_staff_export_papers_in_the_import_format(client, listed, staff_token):
    rows = lines(client.get("/api/export/papers", **bearer(staff_token)))
    assert [r["id"] for r in rows] == ["2501.00101", "2501.00102", "2501.00103", "2501.00104"]
    assert rows[0]["authors"] == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert rows[0]["categories"] == ["cs.CL", "cs.LG"]


def test_members_who_are_not_staff_get_a_403(client, listed, alice_token):
    response = client.get("/api/export/votes", **bearer(alice_token))
    assert response.status_code == 403
    assert response.json()["error"]


def test_no_token_is_a_401_and_an_unknown_kind_a_400(client, staff_token):
    assert client.get("/api/export/votes").status_code == 401
    response = client.get("/api/export/users", **bearer(staff_token))
    assert response.status_code == 400
    assert response.json()["error"]


def test_unknown_api_paths_are_a_json_404(client):
    response = client.get("/api/nothing/here")
    assert response.status_code == 404
    assert response.json()["error"]
