"""Housekeeping tasks run by the scheduler."""

from django.core.management import call_command
from django.tasks import task


@task
def clear_sessions() -> None:
    call_command("clearsessions")


@task
def prune_task_results() -> None:
    # Keep a week of finished task results for operators to inspect in the admin.
    call_command("prune_db_task_results", "--min-age-days", "7", verbosity=0)
