"""summaries.build: what gets written, by which method, and nothing twice."""

import logging

import pytest

from paperboy.papers.models import Paper
from paperboy.search import indexing
from paperboy.search.models import WordIndexChange
from paperboy.summaries import build, llm, local
from paperboy.summaries.models import LLMCache, LLMUsage, SummaryState
from paperboy.testing import make_paper

ABSTRACT = (
    "We route each token to a few keys with a learned top-k router. In this paper, we show "
    "that sparse attention matches dense attention on language modelling benchmarks while "
    "using a fraction of the memory of long-context transformers."
)


@pytest.fixture
def papers(db):
    made = [
        make_paper(title="Sparse Attention for Long-Context Transformers", abstract=ABSTRACT),
        make_paper(
            title="Predicting Protein Structures with Diffusion Models",
            abstract="A generative model folds amino-acid sequences into three-dimensional "
            "protein structures by denoising atom coordinates with a diffusion model.",
        ),
    ]
    indexing.build()
    return made


def test_it_writes_a_local_summary_and_keywords_for_every_paper(papers):
    result = build.build()
    assert (result.checked, result.written, result.local) == (2, 2, 2)
    for paper in Paper.objects.all():
        assert paper.ai_summary and len(paper.ai_summary.split()) <= local.MAX_WORDS
        assert local.MIN_KEYWORDS <= len(paper.ai_keywords) <= local.MAX_KEYWORDS
        assert paper.ai_summary_model == local.METHOD
    assert SummaryState.objects.count() == 2


def test_written_keywords_are_logged_for_the_word_index(papers):
    # (FTS5 and PostgreSQL follow by trigger: search/tests/test_keywords.py.)
    WordIndexChange.objects.all().delete()
    build.build()
    logged = set(WordIndexChange.objects.values_list("paper_id", flat=True))
    assert logged == {p.pk for p in papers}
    WordIndexChange.objects.all().delete()
    build.build()  # nothing changed: nothing to re-read
    assert not WordIndexChange.objects.exists()


def test_a_second_run_does_nothing(papers, django_assert_max_num_queries):
    build.build()
    before = list(Paper.objects.values_list("modified_at", "ai_summary"))
    result = build.build()
    assert (result.checked, result.written) == (0, 0)
    assert list(Paper.objects.values_list("modified_at", "ai_summary")) == before


def test_papers_wait_for_their_vector(db):
    make_paper(title="Sparse Attention for Long-Context Transformers", abstract=ABSTRACT)
    assert build.build().checked == 0
    indexing.build()
    assert build.build().written == 1


def test_a_changed_abstract_is_summarized_again(papers):
    build.build()
    paper = papers[1]
    paper.abstract = (
        "Robot arms learn grasping skills by watching videos of people picking up objects."
    )
    paper.save()
    result = build.build()
    assert result.written == 1
    paper.refresh_from_db()
    assert "grasp" in paper.ai_summary.lower() or "robot" in paper.ai_summary.lower()


def test_a_paper_saved_without_a_text_change_is_checked_not_rewritten(papers):
    build.build()
    Paper.objects.get(pk=papers[0].pk).save()  # modified_at moves, the text does not
    result = build.build()
    assert (result.checked, result.written) == (1, 0)
    assert build.build().checked == 0


def test_an_imported_summary_is_kept_and_its_missing_keywords_filled(papers):
    Paper.objects.filter(pk=papers[0].pk).update(ai_summary="Hugging Face's own summary.")
    result = build.build()
    assert result.kept == 1
    paper = Paper.objects.get(pk=papers[0].pk)
    assert paper.ai_summary == "Hugging Face's own summary."
    assert paper.ai_summary_model == ""
    assert len(paper.ai_keywords) >= local.MIN_KEYWORDS


def test_a_summary_a_source_brings_later_replaces_ours_and_is_kept(papers):
    from django.db import transaction

    from paperboy.ingest.upsert import write_extras

    build.build()
    with transaction.atomic():
        write_extras([papers[0].pk], ai_summary="Hugging Face's own summary.")
    paper = Paper.objects.get(pk=papers[0].pk)
    assert (paper.ai_summary, paper.ai_summary_model) == ("Hugging Face's own summary.", "")
    SummaryState.objects.all().delete()  # even when everything is built again
    build.build()
    paper.refresh_from_db()
    assert (paper.ai_summary, paper.ai_summary_model) == ("Hugging Face's own summary.", "")


def test_the_operator_may_replace_imported_summaries(papers, settings):
    settings.PAPERBOY_SUMMARIES_REPLACE_IMPORTED = True
    Paper.objects.filter(pk=papers[0].pk).update(ai_summary="Hugging Face's own summary.")
    build.build()
    paper = Paper.objects.get(pk=papers[0].pk)
    assert paper.ai_summary != "Hugging Face's own summary."
    assert paper.ai_summary_model == local.METHOD


def test_the_llm_writes_when_configured_and_its_answers_are_cached(papers, llm_settings, fake_llm):
    result = build.build(use_llm=True)
    assert (result.llm, result.fallbacks) == (2, 0)
    paper = Paper.objects.get(pk=papers[0].pk)
    assert paper.ai_summary.startswith("A learned top-k router")
    assert paper.ai_summary_model == "qwen2.5-7b-instruct@prompt-1"
    assert LLMCache.objects.count() == 2
    assert len(fake_llm.requests) == 2
    # The local state from another method is redone; the cache answers without a request.
    SummaryState.objects.all().delete()
    result = build.build(use_llm=True)
    assert result.cached == 2 and len(fake_llm.requests) == 2


def test_a_new_prompt_version_writes_again(papers, llm_settings, fake_llm, monkeypatch):
    build.build(use_llm=True)
    assert build.build(use_llm=True).checked == 0
    monkeypatch.setattr(llm, "PROMPT_VERSION", "2")
    result = build.build(use_llm=True)
    assert result.llm == 2 and len(fake_llm.requests) == 4
    assert Paper.objects.get(pk=papers[0].pk).ai_summary_model.endswith("@prompt-2")


@pytest.mark.parametrize(
    "answer", ["html.json", "refusal.json", "too_long.json", "garbage.json", 500]
)
def test_a_failing_llm_is_logged_and_replaced_by_the_local_method(
    papers, llm_settings, fake_llm, caplog, answer
):
    fake_llm.script = [answer]
    with caplog.at_level(logging.WARNING, logger="paperboy.summaries.build"):
        result = build.build(use_llm=True)
    assert (result.fallbacks, result.local, result.llm) == (2, 2, 0)
    paper = Paper.objects.get(pk=papers[0].pk)
    assert paper.ai_summary_model == local.METHOD
    assert "<" not in paper.ai_summary and "sorry" not in paper.ai_summary.lower()
    assert "LLM summary of paper" in caplog.text
    assert LLMCache.objects.count() == 0


def test_the_daily_budget_is_never_overspent(papers, llm_settings, fake_llm):
    llm_settings.PAPERBOY_LLM = {**llm_settings.PAPERBOY_LLM, "daily_budget": 1}
    result = build.build(use_llm=True)
    assert (result.llm, result.fallbacks) == (1, 1)
    assert len(fake_llm.requests) == 1
    assert LLMUsage.objects.get().requests == 1
    # The paper the budget did not cover keeps its local summary, redone by no run today...
    assert build.build(use_llm=True).checked == 0
    # ...and is asked tomorrow.
    LLMUsage.objects.update(requests=0)
    result = build.build(use_llm=True)
    assert (result.checked, result.llm) == (1, 1) and len(fake_llm.requests) == 2


def test_the_scheduled_task_builds_what_is_pending_with_the_llm_when_configured(
    papers, llm_settings, fake_llm
):
    from paperboy.jobs.schedule import JOBS
    from paperboy.summaries import tasks

    job = next(j for j in JOBS if j.name == "summaries-build")
    assert job.get_task() is tasks.build_summaries
    assert tasks.build_summaries.call() == 2
    assert Paper.objects.filter(ai_summary_model="qwen2.5-7b-instruct@prompt-1").count() == 2
    assert tasks.build_summaries.call() == 0
