"""GET /api/papers?cursor=&limit=: the whole catalog, newest first, by keyset cursor."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from paperboy.testing import make_paper

pytestmark = pytest.mark.django_db


def test_it_walks_the_catalog_with_the_link_header(client, db):
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for n in range(5):
        make_paper(arxiv_id=f"2501.0030{n}", published_at=start + timedelta(days=n % 3))
    seen, url, pages = [], "/api/papers?limit=2", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [p["id"] for p in response.json()]
        link = response.get("Link", "")
        match = re.match(r'<http://testserver(.+)>; rel="next"', link)
        url = match.group(1) if match else ""
        pages += 1
    assert pages == 3
    assert sorted(seen) == [f"2501.0030{n}" for n in range(5)]
    assert len(set(seen)) == 5
    assert seen[0] in ("2501.00302",)  # the newest arXiv date first


@pytest.mark.parametrize("cursor", ["garbage", "", "MjAyNXwx", "%00"])
def test_a_bad_cursor_is_a_400(client, db, cursor):
    make_paper()
    response = client.get(f"/api/papers?cursor={cursor}")
    assert response.status_code in (200, 400)
    if cursor:
        assert response.status_code == 400
        assert "error" in response.json()


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten"])
def test_an_out_of_range_limit_is_a_400(client, db, limit):
    response = client.get("/api/papers", {"limit": limit})
    assert response.status_code == 400
    assert "limit" in response.json()["error"]
