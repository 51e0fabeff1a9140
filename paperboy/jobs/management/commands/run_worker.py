"""Run a task worker (``django-tasks-db``'s ``db_worker``) the way Paperboy needs it.

Before it takes a task it puts back what a killed process left behind: tasks whose worker on
this host died (``jobs/workers.py``) and the word index or foreign keys a killed import left
down (``ingest/recovery.py``). It runs at a lower CPU priority (``--nice``, default 10) with
bounded compute threads (``--threads``, default 1), so batch work leaves the cores to the web
(bench/search_under_load.py); the mail worker runs with ``--nice 0``.
"""

from __future__ import annotations

import os

from django_tasks_db.management.commands import db_worker

from paperboy.ingest.recovery import repair
from paperboy.jobs import workers


class Command(db_worker.Command):
    help = "Run a task worker: takes over tasks of dead workers, then runs queued tasks."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=workers.worker_id())
        parser.add_argument(
            "--nice",
            type=int,
            default=10,
            help="How much to lower this worker's CPU priority (default: %(default)s; 0 keeps it).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=1,
            help="Compute threads for embeddings and numeric work (default: %(default)s).",
        )

    def handle(self, *args, nice: int, threads: int, **options) -> None:
        if nice > 0:
            os.nice(nice)
        if threads > 0:
            workers.limit_threads(threads)
        self.configure_logging(options["verbosity"])

        repair()
        requeued, failed = workers.take_over_orphans()
        if requeued or failed:
            self.stdout.write(
                f"took over tasks of dead workers: {requeued} requeued, {failed} failed"
            )
        super().handle(*args, **options)
