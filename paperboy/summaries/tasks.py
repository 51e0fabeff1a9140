"""Background tasks of the summaries app (run by the ``db_worker``)."""

from django.tasks import task

from paperboy.summaries import build
from paperboy.summaries.llm import LLMConfig

CATCH_UP_LIMIT = 5000  # papers per run: a big catalog is caught up over several runs


@task
def build_summaries() -> int:
    """Summaries and keywords for papers that have none or whose abstract, method or prompt
    changed (with the configured LLM when there is one); returns how many were written."""
    result = build.build(use_llm=LLMConfig.from_settings().configured, limit=CATCH_UP_LIMIT)
    return result.written
