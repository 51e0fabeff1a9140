"""What "For you" stores per member: the learnt model, "not interested", the seen ledger,
"show fewer like this", the categories picked on onboarding, and saved-search alerts.

Everything here is private to its member: every row has a ``member`` and every read in the
app filters on it (``engine.py`` is the one door for recommendations and dismissals).
Positive signals are not stored here: they are the member's upvotes (feed), saves and
collections (library), claims and follows (accounts), and ``CategoryInterest`` below.
"""

from __future__ import annotations

import numpy as np
from django.conf import settings
from django.db import models

from paperboy.papers.models import Paper


class MemberModel(models.Model):
    """A member's learnt model (``learning.train``): a linear scorer ``weights · x + words ·
    w + bias`` over a paper's vector ``x`` and its tf-idf ``words``, and the centroid of their
    positives. ``weights`` and ``centroid`` are float32 bytes of ``dimension`` values for the
    embedding model ``model_id``; ``word_index`` (int32) and ``word_weights`` (float32) the
    hashed words with a weight (at most ``learning.Params.word_features``). Rebuilt by
    ``foryou.tasks.train_member`` after each signal; ``version`` counts the trainings,
    ``signals_at`` is the time of the newest signal the model has seen (how fresh it is:
    bench/recommend.py)."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="foryou_model"
    )
    weights = models.BinaryField(default=b"")
    bias = models.FloatField(default=0.0)
    centroid = models.BinaryField(default=b"")
    word_index = models.BinaryField(default=b"")
    word_weights = models.BinaryField(default=b"")
    dimension = models.PositiveIntegerField(default=0)
    model_id = models.CharField(max_length=200, blank=True)
    n_positives = models.PositiveIntegerField(default=0)
    n_negatives = models.PositiveIntegerField(default=0)
    version = models.PositiveBigIntegerField(default=0)
    trained_at = models.DateTimeField(null=True, blank=True)
    signals_at = models.DateTimeField(null=True, blank=True)
    # Signals up to here are forgotten (engine.reset); the library itself is never touched.
    reset_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        counts = f"{self.n_positives}+/{self.n_negatives}-"
        return f"model of {self.member_id} v{self.version} ({counts})"

    def weight_vector(self) -> np.ndarray | None:
        return _array(self.weights, self.dimension)

    def centroid_vector(self) -> np.ndarray | None:
        return _array(self.centroid, self.dimension)

    def word_arrays(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(hashed words, their weights), or (None, None) for a model without words."""
        index, weights = bytes(self.word_index or b""), bytes(self.word_weights or b"")
        if not index or len(index) != len(weights) or len(index) % 4:
            return None, None
        return np.frombuffer(index, dtype=np.int32).copy(), np.frombuffer(
            weights, np.float32
        ).copy()


def _array(data: bytes | memoryview, dimension: int) -> np.ndarray | None:
    raw = bytes(data or b"")
    if not dimension or len(raw) != 4 * dimension:
        return None
    return np.frombuffer(raw, dtype=np.float32).copy()


class Dismissal(models.Model):
    """ "Not interested": the paper never returns, and papers like it score lower."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="foryou_dismissals"
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "paper"], name="foryou_dismiss_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} ✕ {self.paper_id}"


class SeenPaper(models.Model):
    """The seen ledger: a paper shown on the For you page or mailed in a digest. Mailed papers
    are never mailed again; on the page, unseen papers come first."""

    class Via(models.TextChoices):
        PAGE = "page", "For you page"
        DIGEST = "digest", "Digest"

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="foryou_seen"
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    first_seen = models.DateTimeField(auto_now_add=True)
    via = models.CharField(max_length=8, choices=Via.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "paper"], name="foryou_seen_once")]

    def __str__(self) -> str:
        return f"{self.member_id} saw {self.paper_id} ({self.via})"


class TopicMute(models.Model):
    """ "Show fewer like this" for a category, an author or an organization: papers that
    match it are down-weighted (not hidden). ``key`` is the category code, or the author's
    or organization's primary key as text."""

    class Kind(models.TextChoices):
        CATEGORY = "category", "Category"
        AUTHOR = "author", "Author"
        ORGANIZATION = "organization", "Organization"

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="foryou_mutes"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "kind", "key"], name="foryou_mute_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} mutes {self.kind} {self.key}"


class CategoryInterest(models.Model):
    """An arXiv category a member follows (picked on onboarding): a signal, and the topics of
    the trending fallback for members without other signals."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="foryou_categories"
    )
    category = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "category"], name="foryou_category_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} follows {self.category}"


class SavedSearch(models.Model):
    """An alert: a search (query and its filters, as the search form takes them) whose new
    matching papers arrive in the member's digest and in its own feed."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="foryou_searches"
    )
    name = models.CharField(max_length=200, blank=True)
    query = models.CharField(max_length=500)
    filters = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.name or self.query}"
