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


# --- words and categories (issue 17: the SVM on [tf-idf words; vector] + categories) --------

TOPIC_WORDS = {
    0: "graph neural networks message passing over molecules",
    1: "speech recognition acoustic models for spoken audio",
    2: "robot grasping manipulation policies with tactile sensors",
}


def texts(topic: int, n: int) -> list[str]:
    return [f"{TOPIC_WORDS[topic]} study number {i}" for i in range(n)]


def rows_for(window_texts: list[str], texts_: list[str], categories=None) -> tuple:
    idf = learning.word_idf(learning.word_counts(window_texts))
    categories = categories or [()] * len(texts_)
    return learning.paper_rows(learning.word_counts(texts_), idf, categories)


def test_words_rank_the_members_topic_first_when_the_vectors_say_nothing():
    rng = np.random.default_rng(0)
    noise = lambda n: learning.unit_rows(rng.standard_normal((n, 16)))  # noqa: E731
    window = texts(0, 10) + texts(1, 10) + texts(2, 40)
    background = texts(1, 20) + texts(2, 20)
    candidates = texts(0, 10) + texts(1, 10) + texts(2, 10)
    learnt = learning.train(
        noise(4),
        None,
        noise(len(background)),
        positive_words=rows_for(window, texts(0, 4)),
        background_words=rows_for(window, background),
    )
    assert learnt.word_index is not None and len(learnt.word_index)
    scores = learning.score(learnt, noise(30), words=rows_for(window, candidates))
    assert set(np.argsort(-scores)[:10]) == set(range(10))
    # the same model without its words is no better than chance on these vectors
    blind = learning.score(learnt, noise(30))
    assert len(set(np.argsort(-blind)[:10]) & set(range(10))) < 10


def test_a_category_all_the_members_papers_share_outweighs_a_common_one():
    rng = np.random.default_rng(1)
    noise = lambda n: learning.unit_rows(rng.standard_normal((n, 16)))  # noqa: E731
    same = ["same words for every paper"] * 40
    mine = [("cs.LG", "stat.ML")] * 5
    background = [("cs.LG",)] * 20 + [("cs.CV",)] * 20
    learnt = learning.train(
        noise(5),
        None,
        noise(40),
        positive_words=rows_for(same, same[:5], mine),
        background_words=rows_for(same, same, background),
    )
    candidates = [("stat.ML",)] * 5 + [("cs.LG",)] * 20
    scores = learning.score(learnt, noise(25), words=rows_for(same, same[:25], candidates))
    assert set(np.argsort(-scores)[:5]) == set(range(5))


def test_only_the_strongest_word_weights_are_kept():
    rng = np.random.default_rng(2)
    noise = lambda n: learning.unit_rows(rng.standard_normal((n, 8)))  # noqa: E731
    window = texts(0, 5) + texts(1, 5) + texts(2, 5)
    params = learning.Params(word_features=5)
    learnt = learning.train(
        noise(3),
        None,
        noise(10),
        positive_words=rows_for(window, texts(0, 3)),
        background_words=rows_for(window, texts(1, 5) + texts(2, 5)),
        params=params,
    )
    assert len(learnt.word_index) == 5 and len(learnt.word_weights) == 5
    assert (np.diff(learnt.word_index) > 0).all()


def test_words_in_more_than_half_the_window_weigh_nothing():
    counts = learning.word_counts(["common rare"] + ["common"] * 3)
    idf = learning.word_idf(counts)
    common, rare = learning.word_counts(["common"]).indices[0], learning.word_counts(["rare"])
    assert idf[common] == 0 and idf[rare.indices[0]] > 0
    rows = learning.word_rows(counts, idf)
    assert np.allclose(np.sqrt(rows.multiply(rows).sum(axis=1)).A1, [1, 0, 0, 0])


def test_a_batch_of_word_weights_scores_like_each_model_alone():
    rng = np.random.default_rng(3)
    noise = lambda n: learning.unit_rows(rng.standard_normal((n, 8)))  # noqa: E731
    window = texts(0, 5) + texts(1, 5) + texts(2, 5)
    models = [
        learning.train(
            noise(3),
            None,
            noise(10),
            positive_words=rows_for(window, texts(topic, 3)),
            background_words=rows_for(window, texts((topic + 1) % 3, 10)),
        )
        for topic in range(3)
    ]
    matrix, words = noise(15), rows_for(window, window)
    batch = matrix @ np.stack([m.weights for m in models]).T
    batch = batch + (words @ learning.word_weight_matrix(models)).toarray()
    for j, m in enumerate(models):
        assert np.allclose(batch[:, j] + m.bias, learning.linear_part(m, matrix, words), atol=1e-5)
