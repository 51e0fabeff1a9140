"""For you's background work: retraining a member's model after a new signal.

``train_member`` runs on the ``mail`` queue, the interactive one whose worker runs at normal
priority and is never behind a batch of embeddings (README, "Process model and queues"): the
model must follow a signal within a second. Training reads the member's signals' vectors, a
sample of recent papers as weak negatives, and stores ``MemberModel`` (``learning.train``).
"""

from __future__ import annotations

import numpy as np
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from paperboy.foryou import engine, learning
from paperboy.foryou.models import MemberModel
from paperboy.search import vectors
from paperboy.search.embeddings import configured_model_id

QUEUE = "mail"
POSITIVES = 2000  # the most recent positives a model learns from
NEGATIVES = 500  # the most recent dismissals
BACKGROUND = 1000  # recent papers sampled as weak negatives (as bench/recommend.py does)


@task(queue_name=QUEUE)
def train_member(member_id: int) -> int:
    """Retrain one member's model; returns its new version (0: nothing to learn from)."""
    return retrain(member_id)


def retrain(member_id: int) -> int:
    model_id = configured_model_id()
    started = timezone.now()
    positives = engine.positive_ids(member_id, limit=POSITIVES)
    negatives = engine.negative_ids(member_id, limit=NEGATIVES)
    found = vectors.vectors_for(positives + negatives, model_id) if model_id else {}
    pos = [found[pk] for pk in positives if pk in found]
    neg = [found[pk] for pk in negatives if pk in found]
    learnt = learning.train(
        np.array(pos) if pos else None,
        np.array(neg) if neg else None,
        background(member_id, exclude=set(positives) | set(negatives)),
    )
    with transaction.atomic():
        stored, _ = MemberModel.objects.select_for_update().get_or_create(member_id=member_id)
        stored.model_id = model_id
        stored.n_positives = len(pos)
        stored.n_negatives = len(neg)
        if learnt is None:
            stored.weights, stored.centroid, stored.bias, stored.dimension = b"", b"", 0.0, 0
        else:
            stored.weights = learnt.weights.astype(np.float32).tobytes()
            stored.centroid = learnt.centroid.astype(np.float32).tobytes()
            stored.bias = float(learnt.bias)
            stored.dimension = len(learnt.weights)
        stored.version += 1
        stored.trained_at = timezone.now()
        stored.signals_at = started
        stored.save()
    return stored.version if learnt is not None else 0


def background(member_id: int, *, exclude: set[int]) -> np.ndarray | None:
    """A fixed-size sample of the current window's papers (the member id seeds it, so a
    retraining on the same data learns the same model)."""
    window = engine.window_papers(engine.window_start(None, None))
    keep = [i for i, pk in enumerate(window.ids) if int(pk) not in exclude]
    if not keep:
        return None
    rng = np.random.default_rng(member_id)
    chosen = rng.choice(keep, size=min(BACKGROUND, len(keep)), replace=False)
    return window.matrix[np.sort(chosen)]
