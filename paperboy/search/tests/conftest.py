import pytest


@pytest.fixture(autouse=True)
def _fresh_vector_cache():
    from paperboy.search import engine, lexical, memo, vectors, wordindex

    memo.forget()
    wordindex.forget()
    vectors.forget()
    lexical.forget()
    engine._query_vector.cache_clear()
    yield
    vectors.forget()


@pytest.fixture
def corpus(db):
    """A handful of papers on distinct topics, lexically indexed (by trigger) and embedded."""
    from datetime import UTC, datetime

    from paperboy.search import indexing
    from paperboy.testing import make_paper

    papers = {
        "attention": make_paper(
            arxiv_id="2501.10001",
            title="Sparse Attention for Long-Context Transformers",
            abstract="We route each token to a few keys with a learned top-k router, matching "
            "dense attention on language modelling at a fraction of the memory.",
            categories=["cs.CL"],
            published_at=datetime(2025, 1, 10, tzinfo=UTC),
            github_repo="https://github.com/example/sparse",
        ),
        "protein": make_paper(
            arxiv_id="2501.10002",
            title="Predicting Protein Structures with Diffusion Models",
            abstract="A generative model folds amino-acid sequences into three-dimensional "
            "protein structures by denoising atom coordinates.",
            categories=["q-bio.BM", "cs.LG"],
            published_at=datetime(2025, 3, 10, tzinfo=UTC),
        ),
        "robot": make_paper(
            arxiv_id="2501.10003",
            title="Teaching Robots to Grasp from Human Videos",
            abstract="Robot arms learn grasping skills by watching videos of people picking up "
            "everyday objects, without any teleoperated demonstrations.",
            categories=["cs.RO"],
            published_at=datetime(2025, 2, 10, tzinfo=UTC),
        ),
        "privacy": make_paper(
            arxiv_id="2501.10004",
            title="Differential Privacy for Federated Learning on Phones",
            abstract="Clients train a shared model without sending raw data; calibrated noise "
            "bounds what any single user's data reveals.",
            categories=["cs.CR", "cs.LG"],
            published_at=datetime(2025, 4, 10, tzinfo=UTC),
        ),
    }
    indexing.build()
    return papers
