"""Errors outside any one endpoint: a wrong method on a known path is a JSON 405."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/papers/2501.00101/upvote"),
        ("put", "/api/daily_papers"),
        ("patch", "/api/papers/2501.00101/comment"),
        ("delete", "/api/papers/search"),
    ],
)
def test_a_wrong_method_is_a_json_405_naming_the_right_ones(client, listed, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert "not allowed" in response.json()["error"]
    assert response["Allow"]
