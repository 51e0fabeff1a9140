"""Task workers: the queues, who a worker is, and taking over tasks a dead worker left RUNNING.

``django-tasks-db`` records the id of the worker that claimed a task in ``worker_ids`` and
never looks at it again: a worker killed mid-task leaves the row ``RUNNING`` for ever. Our
workers (``paperboy manage run_worker``) call themselves ``host:pid:random``, so a worker
starting on the same host can tell that the process behind a ``RUNNING`` row is gone and put
the task back on its queue. Tasks are written to be run again (they take ids and claim their
work with conditional updates), but a task that keeps killing its worker (out of memory) is
marked failed after ``MAX_CLAIMS`` tries instead of looping.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

from django.utils import timezone
from django.utils.crypto import get_random_string

log = logging.getLogger(__name__)

# Interactive mail: people wait for these. Everything else is batch work on DEFAULT.
MAIL = "mail"
DEFAULT = "default"
QUEUES = [DEFAULT, MAIL]

MAX_CLAIMS = 3
_HOST = socket.gethostname()[:40]


def worker_id(pid: int | None = None) -> str:
    """``host:pid:random`` (at most 64 characters, django-tasks-db's limit)."""
    return f"{_HOST}:{pid or os.getpid()}:{get_random_string(8)}"


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a running task worker (not a pid the kernel handed on to another)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel whether the pid exists at all
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return b"run_worker" in cmdline or b"db_worker" in cmdline


def _dead_here(worker: str) -> bool:
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    return host == _HOST and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid))


def take_over_orphans() -> tuple[int, int]:
    """Requeue (or fail) the tasks whose worker on this host died; returns (requeued, failed).

    Each row is changed by a conditional UPDATE on its status and worker list, so two workers
    starting together take over a task once."""
    from django_tasks_db.models import DBTaskResult, TaskResultStatus

    requeued = failed = 0
    for row in DBTaskResult.objects.running().only("id", "worker_ids", "task_path"):
        if not row.worker_ids or not _dead_here(row.worker_ids[-1]):
            continue
        same = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, worker_ids=row.worker_ids
        )
        if len(row.worker_ids) >= MAX_CLAIMS:
            done = same.update(
                status=TaskResultStatus.FAILED,
                finished_at=timezone.now(),
                exception_class_path="paperboy.jobs.workers.WorkerDied",
                traceback=f"its worker died {len(row.worker_ids)} times running it: "
                + ", ".join(row.worker_ids),
            )
            failed += done
            if done:
                log.warning("task %s (%s) failed: its workers died", row.pk, row.task_path)
        else:
            done = same.update(status=TaskResultStatus.READY, started_at=None)
            requeued += done
            if done:
                log.warning(
                    "task %s (%s) requeued: worker %s died",
                    row.pk,
                    row.task_path,
                    row.worker_ids[-1],
                )
    return requeued, failed


def limit_threads(threads: int) -> None:
    """Bound the compute threads of this process (ONNX Runtime, BLAS/OpenMP): batch work must
    leave cores to the web. Effective for libraries loaded after the call."""
    for name in (
        "PAPERBOY_EMBEDDING_THREADS",
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
    ):
        os.environ[name] = str(threads)
