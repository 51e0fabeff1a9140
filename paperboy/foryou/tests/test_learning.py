"""learning.py: the member's model, pure numpy (no database)."""

import numpy as np

from paperboy.foryou import learning


def cloud(direction: int, n: int, seed: int, dim: int = 32) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = np.zeros(dim, dtype=np.float32)
    base[direction] = 1.0
    return learning.unit_rows(base + 0.3 * rng.standard_normal((n, dim)) / np.sqrt(dim))


def test_without_positives_there_is_no_model():
    assert learning.train(None) is None
    assert learning.train(np.zeros((0, 8))) is None


def test_the_model_ranks_papers_of_the_members_topics_first():
    background = np.concatenate([cloud(d, 50, d) for d in range(6)])
    learnt = learning.train(cloud(0, 5, 10), None, background)
    candidates = np.concatenate([cloud(0, 10, 20), cloud(3, 10, 21)])
    scores = learning.score(learnt, candidates)
    assert set(np.argsort(-scores)[:10]) == set(range(10))


def test_a_member_with_two_interests_gets_both_near_the_top():
    positives = np.concatenate([cloud(0, 8, 1), cloud(1, 2, 2)])
    learnt = learning.train(positives, None, np.concatenate([cloud(d, 40, d) for d in range(6)]))
    candidates = np.concatenate([cloud(1, 5, 30), cloud(4, 30, 31)])
    scores = learning.score(learnt, candidates)
    assert set(np.argsort(-scores)[:5]) == set(range(5))  # the minor interest is not drowned


def test_explicit_negatives_lower_their_topic():
    positives = np.concatenate([cloud(0, 5, 1), cloud(1, 5, 2)])
    background = np.concatenate([cloud(d, 40, d) for d in range(6)])
    candidates = np.concatenate([cloud(0, 10, 3), cloud(1, 10, 4)])
    before = learning.score(learning.train(positives, None, background), candidates)
    after = learning.score(learning.train(positives, cloud(1, 5, 5), background), candidates)
    assert after[10:].mean() - after[:10].mean() < before[10:].mean() - before[:10].mean()
    assert (np.argsort(-after)[:10] < 10).all()


def test_the_dismiss_penalty_touches_close_papers_only():
    dismissed = cloud(2, 1, 7)
    near = learning.unit_rows(dismissed + 0.01)
    far = cloud(5, 1, 8)
    penalty = learning.dismiss_penalty(np.concatenate([near, far]), dismissed)
    assert penalty[0] > 0 and penalty[1] == 0
    assert not learning.dismiss_penalty(far, None).any()


def test_the_category_prior_is_the_share_of_the_members_papers_per_category():
    mine = [frozenset({"cs.CL"}), frozenset({"cs.CL", "cs.LG"})]
    prior = learning.overlap_prior(
        [frozenset({"cs.CL"}), frozenset({"cs.LG", "cs.CV"}), frozenset({"cs.RO"})], mine
    )
    assert prior.tolist() == [1.0, 0.5, 0.0]
