"""Writing every paper's ``ai_summary``, ``ai_summary_model`` and ``ai_keywords``: which papers
need it, in batches, with the local method or the configured LLM (its answers cached, its
calls within the daily budget, the local method standing in for every failure).

A paper needs a build when it has no ``SummaryState``, or its title and abstract no longer
hash to the state's ``source_hash``, or its state's method is not the wanted one (a new local
method version, another LLM model or prompt version). Nothing else is redone: a second run
right after the first writes nothing (idempotent). Papers wait for their vector (computed by
the search app's embedding task) unless embeddings are off.

Summaries a source brought (Hugging Face's, ``ai_summary_model`` empty) are kept, and so are
its keywords, unless ``PAPERBOY_SUMMARIES_REPLACE_IMPORTED``; a paper without keywords gets
the local ones.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from paperboy.papers.models import Paper
from paperboy.search import wordindex
from paperboy.search.embeddings import get_embedder
from paperboy.search.indexing import configured_model_id
from paperboy.search.models import Embedding
from paperboy.summaries import llm, local
from paperboy.summaries.models import LLMCache, LLMUsage, SummaryState

log = logging.getLogger(__name__)

BATCH = 64
_FIELDS = ("id", "title", "abstract", "ai_summary", "ai_keywords", "ai_summary_model")


@dataclass
class BuildResult:
    checked: int = 0
    written: int = 0
    local: int = 0
    llm: int = 0
    cached: int = 0
    fallbacks: int = 0  # LLM failures answered by the local method
    kept: int = 0  # imported summaries kept
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [f"{self.checked} papers checked, {self.written} written"]
        if self.written:
            parts.append(f"{self.local} local, {self.llm} by the LLM ({self.cached} cached)")
        if self.fallbacks:
            parts.append(f"{self.fallbacks} LLM failures replaced by the local method")
        if self.kept:
            parts.append(f"{self.kept} imported summaries kept")
        return "; ".join(parts) + "."


def source_hash(title: str, abstract: str) -> str:
    return hashlib.sha1(f"{title}\n\n{abstract}".encode()).hexdigest()


def wanted_method(client: llm.LLMClient | None) -> str:
    return llm.method_name(client.model) if client else local.METHOD


def pending(methods: set[str], *, since: datetime | None = None):
    """Papers that may need a build with one of ``methods`` (no state, a state from another
    method, or a paper modified since its state), oldest first; ``build`` checks the hash."""
    state = SummaryState.objects.filter(paper=OuterRef("pk"))
    fresh = state.filter(method__in=methods, updated_at__gte=OuterRef("modified_at"))
    papers = Paper.objects.filter(~Exists(fresh))
    model_id = configured_model_id()
    if model_id:
        papers = papers.filter(
            Exists(Embedding.objects.filter(paper=OuterRef("pk"), model=model_id))
        )
    if since:
        papers = papers.filter(Q(published_at__gte=since) | Q(created_at__gte=since))
    return papers.order_by("pk")


def build(
    *,
    since: datetime | None = None,
    use_llm: bool = False,
    limit: int | None = None,
    paper_ids: Iterable[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BuildResult:
    """Build what is pending (or ``paper_ids``); ``use_llm`` asks the configured LLM first."""
    client = llm.LLMClient.from_settings() if use_llm else None
    methods = {wanted_method(client)}
    if client and not LLMUsage.left(client.config.daily_budget):
        # Papers the budget could not cover keep the local method's state, so they are asked
        # on a later day; until then this run is a local one and redoes nothing.
        log.info("the LLM's daily budget is spent: local summaries only until tomorrow")
        client.close()
        client = None
        methods.add(local.METHOD)
    method = wanted_method(client)
    queryset = pending(methods, since=since)
    if paper_ids is not None:
        queryset = Paper.objects.filter(pk__in=list(paper_ids)).order_by("pk")
    ids = list(
        queryset.values_list("pk", flat=True)[:limit]
        if limit
        else queryset.values_list("pk", flat=True)
    )
    result = BuildResult()
    embedder = get_embedder()
    vectors = _token_vectors(embedder) if embedder is not None else None
    try:
        for start in range(0, len(ids), BATCH):
            _build_batch(ids[start : start + BATCH], methods, method, client, vectors, result)
            if progress:
                progress(min(start + BATCH, len(ids)), len(ids))
    finally:
        if client:
            client.close()
    return result


_VECTORS: dict[str, local.TokenVectors] = {}


def _token_vectors(embedder) -> local.TokenVectors:
    """One word-piece table per process and model: filled once, reused by every batch."""
    if embedder.model_id not in _VECTORS:
        _VECTORS[embedder.model_id] = local.TokenVectors(embedder)
    return _VECTORS[embedder.model_id]


def _build_batch(
    ids: list[int],
    methods: set[str],
    method: str,
    client: llm.LLMClient | None,
    vectors: local.TokenVectors | None,
    result: BuildResult,
) -> None:
    papers = list(Paper.objects.filter(pk__in=ids).only(*_FIELDS, "modified_at"))
    states = {s.paper_id: s for s in SummaryState.objects.filter(paper_id__in=ids)}
    result.checked += len(papers)
    todo, unchanged = [], []
    for paper in papers:
        digest = source_hash(paper.title, paper.abstract)
        state = states.get(paper.pk)
        if state and state.source_hash == digest and state.method in methods:
            unchanged.append(paper.pk)  # modified for another reason: remember we looked
        else:
            todo.append((paper, digest))
    if unchanged:
        SummaryState.objects.filter(paper_id__in=unchanged).update(updated_at=timezone.now())
    if not todo:
        return
    local_extras = _local([p for p, _ in todo], vectors)
    llm_extras, deferred = _llm([p for p, _ in todo], client, result) if client else ({}, set())
    replace_imported = settings.PAPERBOY_SUMMARIES_REPLACE_IMPORTED
    rewords: list[int] = []  # papers whose keyphrases (searchable words) changed
    with transaction.atomic():
        for (paper, digest), fallback in zip(todo, local_extras, strict=True):
            extras, model = llm_extras.get(paper.pk, (fallback, local.METHOD))
            if not extras.keywords:
                extras = local.Extras(extras.summary, fallback.keywords)
            if client and paper.pk not in llm_extras:
                result.fallbacks += 1
            imported = bool(paper.ai_summary) and not paper.ai_summary_model
            changes: dict = {}
            if imported and not replace_imported:
                result.kept += 1
                if not paper.ai_keywords and extras.keywords:
                    changes["ai_keywords"] = extras.keywords
            elif extras.summary or extras.keywords or paper.ai_summary_model:
                changes = {
                    "ai_summary": extras.summary,
                    "ai_keywords": extras.keywords,
                    "ai_summary_model": model if extras.summary else "",
                }
                if model == local.METHOD:
                    result.local += 1
                else:
                    result.llm += 1
            if changes:
                Paper.objects.filter(pk=paper.pk).update(**changes)
                result.written += 1
                if changes.get("ai_keywords", paper.ai_keywords) != paper.ai_keywords:
                    rewords.append(paper.pk)
            SummaryState.objects.update_or_create(
                paper_id=paper.pk,
                defaults={
                    "source_hash": digest,
                    "method": local.METHOD if paper.pk in deferred else method,
                },
            )
        wordindex.log_changes(rewords)  # the word index re-reads them (FTS follows by trigger)


def _local(papers: list[Paper], vectors: local.TokenVectors | None) -> list[local.Extras]:
    if vectors is None:
        return [local.Extras() for _ in papers]
    stored = {
        e.paper_id: e.as_array()
        for e in Embedding.objects.filter(
            paper_id__in=[p.pk for p in papers], model=vectors.embedder.model_id
        )
    }
    return local.summarize_batch([(p.title, p.abstract, stored.get(p.pk)) for p in papers], vectors)


def _llm(
    papers: list[Paper], client: llm.LLMClient, result: BuildResult
) -> tuple[dict[int, tuple[local.Extras, str]], set[int]]:
    """The LLM's answers by paper id: cached ones, then new ones within today's budget, asked
    ``concurrency`` at a time (no ORM in the threads); failures are logged and left out (the
    local method's answer stays until the text or the prompt changes). Also the ids the
    budget did not cover (asked again another day)."""
    model = llm.method_name(client.model)
    keys = {p.pk: llm.cache_key(p.title, p.abstract, client.model) for p in papers}
    found = {c.key: c for c in LLMCache.objects.filter(key__in=keys.values())}
    out: dict[int, tuple[local.Extras, str]] = {}
    ask, deferred = [], set()
    for paper in papers:
        cached = found.get(keys[paper.pk])
        if cached:
            out[paper.pk] = (local.Extras(cached.summary, list(cached.keywords)), model)
            result.cached += 1
        elif not deferred and LLMUsage.claim(client.config.daily_budget):
            ask.append(paper)
        else:
            deferred.add(paper.pk)

    def one(paper: Paper) -> tuple[Paper, local.Extras | None]:
        try:
            return paper, client.summarize(paper.title, paper.abstract)
        except llm.LLMError as exc:
            log.warning("LLM summary of paper %s failed, local one used: %s", paper.pk, exc)
            return paper, None

    with ThreadPoolExecutor(max_workers=max(1, client.config.concurrency)) as pool:
        answers = list(pool.map(one, ask))
    for paper, extras in answers:
        if extras is None:
            continue
        LLMCache.objects.get_or_create(
            key=keys[paper.pk],
            defaults={
                "model": client.model,
                "prompt_version": llm.PROMPT_VERSION,
                "summary": extras.summary,
                "keywords": extras.keywords,
            },
        )
        out[paper.pk] = (extras, model)
    return out, deferred
