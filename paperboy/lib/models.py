"""The one table of the bottom layer: rate-limit counts (``lib.ratelimit``)."""

from __future__ import annotations

from django.db import models


class RateCount(models.Model):
    """How many times one account or network address did one limited thing in one time
    window. Counted by one atomic upsert (``lib.ratelimit.hit``), so racing requests never
    share a count; the rows of ended windows are deleted as new windows start."""

    bucket = models.CharField(max_length=200, help_text='e.g. "comment:user:42"')
    ends_at = models.BigIntegerField(help_text="End of the window, in seconds since the epoch.")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "ends_at"], name="ratecount_window"),
        ]
        indexes = [models.Index(fields=["ends_at"], name="ratecount_ends_at")]

    def __str__(self) -> str:
        return f"{self.bucket} until {self.ends_at}: {self.count}"
