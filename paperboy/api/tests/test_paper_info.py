"""GET /api/papers/<arxiv_id>: one paper, old-style ids too; 404 as JSON."""

import pytest

from paperboy.testing import make_entry, make_paper

pytestmark = pytest.mark.django_db


def test_it_returns_the_paper_object_with_its_daily_fields(client, listed):
    data = client.get("/api/papers/2501.00101").json()
    assert data["id"] == "2501.00101"
    assert data["title"] == "Most upvoted"
    assert data["upvotes"] == 3
    assert data["publishedAt"] == "2025-01-14T18:00:00.000Z"
    assert data["submittedOnDailyAt"] == "2025-01-15T09:00:00.000Z"
    assert data["submittedOnDailyBy"]["user"] == "alice"
    assert data["categories"] == ["cs.CL", "cs.LG"]
    assert data["organization"]["name"] == "example-lab"


def test_a_paper_that_never_was_on_the_list_has_no_daily_fields(client, db):
    make_paper(arxiv_id="2501.00200")
    data = client.get("/api/papers/2501.00200").json()
    assert data["id"] == "2501.00200"
    assert "submittedOnDailyAt" not in data


def test_old_style_ids_with_a_slash_work(client, db):
    paper = make_paper(arxiv_id="hep-th/9901001", categories=["hep-th"])
    make_entry(paper)
    response = client.get("/api/papers/hep-th/9901001")
    assert response.status_code == 200
    assert response.json()["id"] == "hep-th/9901001"


def test_a_versioned_id_finds_the_paper(client, listed):
    assert client.get("/api/papers/2501.00101v2").json()["id"] == "2501.00101"


@pytest.mark.parametrize("arxiv_id", ["2501.99999", "not-an-id", "hep-th/99", "2501.0010"])
def test_unknown_papers_are_a_404_with_a_json_error(client, listed, arxiv_id):
    response = client.get(f"/api/papers/{arxiv_id}")
    assert response.status_code == 404
    assert "error" in response.json()


def test_hidden_papers_are_not_found(client, listed):
    listed[0].paper.hidden = True
    listed[0].paper.save()
    assert client.get("/api/papers/2501.00101").status_code == 404


def test_a_nul_character_in_the_id_is_a_400(client, listed):
    response = client.get("/api/papers/2501.00101%00")
    assert response.status_code == 400
    assert "error" in response.json()
