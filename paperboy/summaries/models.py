"""What the summaries app remembers: which text and method each paper's summary was made from
(``SummaryState``: nothing is redone while both are unchanged), the LLM's answers by content
hash + prompt version + model (``LLMCache``), and the LLM calls made per day (``LLMUsage``,
the daily budget)."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F
from django.utils import timezone

from paperboy.papers.models import Paper


class SummaryState(models.Model):
    """The inputs of a paper's stored ``ai_summary``/``ai_keywords``: the hash of the title and
    abstract, and the method that wrote them (the local method's version, or the LLM's prompt
    version and model). A paper whose hash or wanted method differs is built again."""

    paper = models.OneToOneField(
        Paper, primary_key=True, on_delete=models.CASCADE, related_name="summary_state"
    )
    source_hash = models.CharField(max_length=40)
    method = models.CharField(max_length=200)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.paper_id} ({self.method})"


class LLMCache(models.Model):
    """An LLM's accepted answer for one text, prompt version and model."""

    key = models.CharField(max_length=64, unique=True)
    model = models.CharField(max_length=200)
    prompt_version = models.CharField(max_length=20)
    summary = models.TextField()
    keywords = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.key[:12]} ({self.model}, prompt {self.prompt_version})"


class LLMUsage(models.Model):
    """LLM requests made on one (UTC) day, against ``PAPERBOY_LLM['daily_budget']``."""

    day = models.DateField(primary_key=True)
    requests = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.requests}"

    @classmethod
    def left(cls, budget: int, *, today: datetime.date | None = None) -> int:
        """Requests left in today's budget."""
        today = today or timezone.now().date()
        used = cls.objects.filter(day=today).values_list("requests", flat=True).first() or 0
        return max(0, budget - used)

    @classmethod
    def claim(cls, budget: int, *, today: datetime.date | None = None) -> bool:
        """Take one request from today's budget with a conditional UPDATE (two workers never
        overspend it); False when it is spent."""
        today = today or timezone.now().date()
        cls.objects.get_or_create(day=today)
        return bool(
            cls.objects.filter(day=today, requests__lt=budget).update(requests=F("requests") + 1)
        )
