"""Background tasks of the daily list."""

from django.tasks import task

from paperboy.feed import votes


@task
def recompute_trending() -> int:
    """Rescore every daily entry: a safety net after weight changes or bulk imports."""
    return votes.recompute_all_trending()
