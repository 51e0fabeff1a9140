"""Papers on distinct topics with vectors made for the tests (no model run): each topic is
one direction of the embedding space, its papers small perturbations of it."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from paperboy.foryou import engine
from paperboy.search import vectors
from paperboy.search.embeddings import configured_model_id
from paperboy.testing import make_paper

TOPICS = ("graphs", "vision", "speech", "robots")
PER_TOPIC = 8
DIM = 384


def topic_vector(topic: str, n: int) -> np.ndarray:
    rng = np.random.default_rng(TOPICS.index(topic) * 1000 + n)
    base = np.zeros(DIM, dtype=np.float32)
    base[TOPICS.index(topic)] = 1.0
    v = base + 0.25 * rng.standard_normal(DIM).astype(np.float32) / np.sqrt(DIM)
    return v / np.linalg.norm(v)


@pytest.fixture(autouse=True)
def _fresh_windows():
    engine.forget_windows()
    vectors.forget()
    yield
    engine.forget_windows()
    vectors.forget()


@pytest.fixture
def topics(db) -> dict[str, list]:
    """{topic: [papers]}, all published in the last days, each with its vector."""
    now = timezone.now()
    out: dict[str, list] = {}
    made = {}
    for t in TOPICS:
        out[t] = []
        for n in range(PER_TOPIC):
            paper = make_paper(
                title=f"{t.title()} paper {n}",
                categories=[f"cs.{t[:2].upper()}"],
                authors=[f"{t.title()} Author {n % 3}"],
                published_at=now - timedelta(days=1 + n % 5, hours=n),
            )
            out[t].append(paper)
            made[paper.pk] = topic_vector(t, n)
    vectors.store(configured_model_id(), made)
    return out
