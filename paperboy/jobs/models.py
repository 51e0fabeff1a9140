"""One row per (job, time slot) the scheduler has enqueued: the claim that stops a second
scheduler process, or a restart, from enqueueing the same run twice."""

from django.db import models


class ScheduledRun(models.Model):
    job = models.CharField(max_length=100)
    slot = models.CharField(max_length=40, help_text="The period this run is for, e.g. 2026-11-25.")
    enqueued_at = models.DateTimeField(auto_now_add=True)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="scheduledrun_one_per_slot")
        ]
        ordering = ["-enqueued_at"]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot}"


class Heartbeat(models.Model):
    """When a long-running process last did its round (the scheduler: every tick), for
    ``/health``."""

    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def beat(cls, name: str, at) -> None:
        cls.objects.update_or_create(name=name, defaults={"at": at})
