"""For you's background work: retraining a member's model after a new signal.

``train_member`` runs on the ``mail`` queue, the interactive one whose worker runs at normal
priority and is never behind a batch of embeddings (README, "Process model and queues"): the
model must follow a signal within a second. Training reads the member's signals' vectors and
words (tf-idf weighed by the current window, ``engine.window_papers``), a sample of the
window's papers as weak negatives, fits ``learning.train``'s SVM and stores ``MemberModel``.
"""

from __future__ import annotations

import numpy as np
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from paperboy.foryou import engine, learning, picks
from paperboy.foryou.models import MemberModel
from paperboy.search import vectors
from paperboy.search.embeddings import configured_model_id

QUEUE = "mail"
POSITIVES = 2000  # the most recent positives a model learns from
NEGATIVES = 500  # the most recent dismissals
BACKGROUND = 1000  # recent papers sampled as weak negatives (as bench/recommend.py does)


@task(queue_name=QUEUE)
def train_member(member_id: int) -> int:
    """Retrain one member's model and store their picks (``picks.refresh``: the For you page
    reads them, never scores on the request); returns the model's new version (0: nothing to
    learn from)."""
    version = retrain(member_id)
    picks.refresh(member_id)
    return version


@task(queue_name=QUEUE)
def refresh_picks(member_id: int) -> None:
    """Recompute a member's stored picks (the page found them stale: a new window, an hour)."""
    picks.refresh(member_id)


def retrain(member_id: int) -> int:
    model_id = configured_model_id()
    started = timezone.now()
    positives = engine.positive_ids(member_id, limit=POSITIVES)
    negatives = engine.negative_ids(member_id, limit=NEGATIVES)
    found = vectors.vectors_for(positives + negatives, model_id) if model_id else {}
    positives = [pk for pk in positives if pk in found]
    negatives = [pk for pk in negatives if pk in found]
    window = engine.window_papers(engine.window_start(None, None))
    sample = background_rows(window)
    learnt = None
    if positives:
        vectors_of = lambda ids: np.array([found[pk] for pk in ids]) if ids else None  # noqa: E731
        with_words = sample is not None and window.words is not None
        words_of = lambda ids: (  # noqa: E731
            engine.paper_rows_of(ids, window) if with_words and ids else None
        )
        learnt = learning.train(
            vectors_of(positives),
            vectors_of(negatives),
            window.matrix[sample] if sample is not None else None,
            positive_words=words_of(positives),
            negative_words=words_of(negatives),
            background_words=window.words[sample] if with_words else None,
        )
    with transaction.atomic():
        stored, _ = MemberModel.objects.select_for_update().get_or_create(member_id=member_id)
        stored.model_id = model_id
        stored.n_positives = len(positives)
        stored.n_negatives = len(negatives)
        stored.word_index = stored.word_weights = b""
        if learnt is None:
            stored.weights, stored.centroid, stored.bias, stored.dimension = b"", b"", 0.0, 0
        else:
            stored.weights = learnt.weights.astype(np.float32).tobytes()
            stored.centroid = learnt.centroid.astype(np.float32).tobytes()
            stored.bias = float(learnt.bias)
            stored.dimension = len(learnt.weights)
            if learnt.word_index is not None:
                stored.word_index = learnt.word_index.astype(np.int32).tobytes()
                stored.word_weights = learnt.word_weights.astype(np.float32).tobytes()
        stored.version += 1
        stored.trained_at = timezone.now()
        stored.signals_at = started
        stored.save()
    return stored.version if learnt is not None else 0


def background_rows(window: engine.Window) -> np.ndarray | None:
    """The weak negatives: the window rows of a fixed sample of ``BACKGROUND`` of its papers
    (the same for every member on the same window), or None with fewer than two."""
    if len(window.ids) < 2:
        return None
    rng = np.random.default_rng(0)
    return np.sort(rng.permutation(len(window.ids))[:BACKGROUND])
