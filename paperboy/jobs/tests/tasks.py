"""Tasks for the worker tests (importable by a worker in a child process)."""

import time
from pathlib import Path

from django.tasks import task


@task
def hang_once(marker: str) -> str:
    """The first run marks ``marker`` and hangs (to be killed); any later run returns."""
    path = Path(marker)
    if not path.exists():
        path.write_text("started")
        time.sleep(600)
    return "done"
