"""For you reads words (issue 17): the member's model is an SVM on [tf-idf words; vector] plus
categories, trained in the task and stored, its words scored over the window at request time."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from paperboy.feed import votes
from paperboy.foryou import engine
from paperboy.foryou.models import MemberModel
from paperboy.foryou.tasks import retrain
from paperboy.search import vectors
from paperboy.search.embeddings import configured_model_id
from paperboy.testing import make_paper

ABSTRACTS = {
    "graphs": "Message passing graph neural networks learn molecule properties from bonds.",
    "speech": "Acoustic models transcribe spoken audio into text with low word error rates.",
    "robots": "Tactile sensors guide robot grasping policies for deformable objects.",
}


@pytest.fixture
def blind_papers(db) -> dict[str, list]:
    """Papers on three topics told apart by their words only: every vector is random noise."""
    rng = np.random.default_rng(0)
    now = timezone.now()
    out: dict[str, list] = {}
    made = {}
    for topic, abstract in ABSTRACTS.items():
        out[topic] = []
        for n in range(8):
            paper = make_paper(
                title=f"Study {n} of {topic}",
                abstract=f"{abstract} Variant {n}.",
                categories=["cs.LG"],
                published_at=now - timedelta(days=1 + n % 5, hours=n),
            )
            out[topic].append(paper)
            vector = rng.standard_normal(384).astype(np.float32)
            made[paper.pk] = vector / np.linalg.norm(vector)
    vectors.store(configured_model_id(), made)
    return out


def test_the_stored_model_holds_word_weights_and_the_page_follows_the_words(alice, blind_papers):
    for paper in blind_papers["speech"][:3]:
        votes.upvote(user_id=alice.pk, paper_id=paper.pk)
    retrain(alice.pk)
    stored = MemberModel.objects.get(member=alice)
    index, weights = stored.word_arrays()
    assert index is not None and len(index) == len(weights) > 0
    recs = engine.recommend(alice, limit=5)
    assert {r.paper.pk for r in recs} == {p.pk for p in blind_papers["speech"][3:]}


def test_a_batch_scores_words_as_each_members_page_does(alice, bob, blind_papers):
    for user, topic in ((alice, "speech"), (bob, "robots")):
        for paper in blind_papers[topic][:3]:
            votes.upvote(user_id=user.pk, paper_id=paper.pk)
        retrain(user.pk)
    batch = engine.recommend_many([alice, bob], limit=5)
    for user, topic in ((alice, "speech"), (bob, "robots")):
        alone = engine.recommend(user, limit=5)
        assert [r.paper.pk for r in batch[user.pk]] == [r.paper.pk for r in alone]
        assert {r.paper.pk for r in alone} == {p.pk for p in blind_papers[topic][3:]}


def test_a_model_with_broken_word_bytes_reads_as_one_without_words(alice, blind_papers):
    votes.upvote(user_id=alice.pk, paper_id=blind_papers["graphs"][0].pk)
    retrain(alice.pk)
    MemberModel.objects.filter(member=alice).update(word_index=b"\x00" * 6)
    assert MemberModel.objects.get(member=alice).word_arrays() == (None, None)
    assert engine.recommend(alice, limit=3)  # still recommends, from the vectors
