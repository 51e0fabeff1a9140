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
    pos = [found[pk] for pk in positives if pk in found]
    neg = [found[pk] for pk in negatives if pk in found]
    learnt = learning.train(
        np.array(pos) if pos else None, np.array(neg) if neg else None, background()
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


_background: dict[tuple, learning.Background | None] = {}


def background() -> learning.Background | None:
    """The weak negatives: a fixed sample of the current window's papers, summarised once per
    window and process (``learning.background_stats``: a covariance, ~0.1-0.5 s of CPU, that
    every member's training shares)."""
    window = engine.window_papers(engine.window_start(None, None))
    key = (window.start, window.model_id, len(window.ids), int(window.ids[:1].sum()))
    if key not in _background:
        rng = np.random.default_rng(0)
        rows = window.matrix[rng.permutation(len(window.ids))[:BACKGROUND]]
        _background.clear()
        _background[key] = learning.background_stats(rows) if len(rows) > 1 else None
    return _background[key]
