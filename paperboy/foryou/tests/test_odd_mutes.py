"""A "show fewer" key that is not a number, for an author or a lab, is refused; one already
stored (before the check) is ignored by the engine instead of breaking the member's page."""

import pytest

from paperboy.feed import votes
from paperboy.foryou.models import TopicMute
from paperboy.foryou.tasks import train_member


@pytest.fixture
def graphs_fan(alice, topics):
    """Alice upvoted three graph papers; her model is trained (so the mutes are read) and her
    picks stored."""
    for paper in topics["graphs"][:3]:
        votes.upvote(user_id=alice.pk, paper_id=paper.pk)
    train_member.call(alice.pk)
    return alice


def test_a_strange_author_key_is_a_400_and_stores_nothing(client, alice):
    client.force_login(alice)
    for key in ("²", "1" * 30, "abc"):
        response = client.post("/for-you/fewer", {"kind": "author", "key": key})
        assert response.status_code == 400, key
    assert not TopicMute.objects.exists()
    assert client.post("/for-you/fewer", {"kind": "category", "key": "cs.CL"}).status_code == 302


def test_a_stored_strange_key_does_not_break_for_you(client, graphs_fan):
    TopicMute.objects.create(member=graphs_fan, kind="author", key="²")
    TopicMute.objects.create(member=graphs_fan, kind="organization", key="9" * 40)
    client.force_login(graphs_fan)
    response = client.get("/for-you")
    assert response.status_code == 200 and b"Not interested" in response.content
