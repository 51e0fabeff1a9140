"""A recommendation close to one of the member's papers names the keyphrases the two share."""

from paperboy.feed import votes
from paperboy.foryou import engine
from paperboy.foryou.tasks import retrain
from paperboy.papers.models import Paper


def test_the_reason_names_up_to_two_shared_keyphrases(alice, topics):
    graphs = topics["graphs"]
    mine = ["Graph Neural Networks", "message passing", "over-smoothing"]
    Paper.objects.filter(pk__in=[p.pk for p in graphs[:3]]).update(ai_keywords=mine)
    theirs = ["oversquashing", "Message-Passing", "graph neural network"]
    Paper.objects.filter(pk__in=[p.pk for p in graphs[3:5]]).update(ai_keywords=theirs)
    for p in graphs[:3]:
        votes.upvote(user_id=alice.pk, paper_id=p.pk)
    retrain(alice.pk)
    recs = engine.recommend(alice, limit=5)
    similar = {r.paper.pk: r.reasons[0] for r in recs if r.reasons[0].kind == "similar"}
    named = [pk for pk in similar if pk in {graphs[3].pk, graphs[4].pk}]
    assert named, "a paper with keyphrases is recommended as close to the member's"
    for pk in named:
        anchor = similar[pk].paper
        assert similar[pk].text == (
            f"Like “{anchor.title}” — both on Message-Passing and graph neural network"
        )
    plain = [pk for pk in similar if pk not in named]
    assert plain and all(similar[pk].text == f"Like “{similar[pk].paper.title}”" for pk in plain)
