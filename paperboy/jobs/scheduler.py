"""Enqueue the jobs of ``schedule.JOBS`` when they are due, exactly once per slot."""

import logging
from datetime import datetime

from django.db import IntegrityError, transaction

from paperboy.jobs.models import ScheduledRun
from paperboy.jobs.schedule import JOBS, Job

logger = logging.getLogger(__name__)


def enqueue_due(now: datetime, jobs: list[Job] | None = None) -> list[str]:
    """Enqueue every due job whose slot has not been claimed yet; return their names."""
    enqueued = []
    for job in JOBS if jobs is None else jobs:
        slot = job.slot(now)
        if slot is None:
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=slot)
                result = job.get_task().enqueue()
                run.task_result_id = str(result.id)
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue  # another scheduler, or an earlier tick, already enqueued this slot
        logger.info("enqueued %s for slot %s", job.name, slot)
        enqueued.append(job.name)
    return enqueued
