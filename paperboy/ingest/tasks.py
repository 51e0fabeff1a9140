"""Scheduled ingest tasks (listed in ``paperboy/jobs/schedule.py``). Each skips when a run of
the same source is still going (see ``runs.ingest_run``)."""

from django.tasks import task

from paperboy.ingest import jobs


def _summary(run) -> str:
    return "skipped: another run in progress" if run.skipped else str(run.result)


@task
def ingest_arxiv_daily() -> str:
    return _summary(jobs.run_arxiv_daily())


@task
def catch_up_arxiv() -> str:
    return "; ".join(
        f"{category}: {run if isinstance(run, str) else _summary(run)}"
        for category, run in jobs.run_arxiv_catch_up()
    )


@task
def ingest_hf_daily() -> str:
    return "; ".join(_summary(jobs.run_hf(date=day)) for day in jobs.hf_days())


@task
def refresh_github_stars() -> str:
    return _summary(jobs.run_github_stars())
