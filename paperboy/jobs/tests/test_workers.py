"""Task workers in child processes on the test database: a worker killed with ``kill -9``
mid-task, and the mail queue that never waits behind an import's embedding tasks."""

import gzip
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django_tasks_db.models import DBTaskResult, TaskResultStatus

from paperboy.jobs import workers
from paperboy.jobs.tests.children import RUN_CHILD, child_env, start_worker
from paperboy.jobs.tests.tasks import hang_once
from paperboy.testing import make_user

pytestmark = pytest.mark.django_db(transaction=True)

DEMO = Path(workers.__file__).parents[1] / "demo" / "papers.jsonl.gz"


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.2)


def _stop(*procs: subprocess.Popen) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def test_a_task_whose_worker_was_killed_is_run_by_the_next_worker(tmp_path):
    marker = tmp_path / "started"
    result = hang_once.enqueue(str(marker))
    worker = start_worker("--queue-name", "default")
    try:
        _wait(marker.exists, 60, "the worker took the task")
        worker.kill()  # kill -9 in the middle of the task
        worker.communicate(timeout=30)
    finally:
        _stop(worker)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.RUNNING  # nothing else notices that its worker died

    again = start_worker("--queue-name", "default", "--batch")
    out, _ = again.communicate(timeout=120)
    assert again.returncode == 0, out
    assert "tasks of dead workers: 1 requeued, 0 failed" in out
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == "done"
    assert len(row.worker_ids) == 2
    assert row.worker_ids[0].split(":")[1] == str(worker.pid)


def _running_row(*worker_ids: str) -> DBTaskResult:
    from django.utils import timezone

    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now(),
        args_kwargs={"args": ["x"], "kwargs": {}},
        task_path="paperboy.jobs.tests.tasks.hang_once",
        worker_ids=list(worker_ids),
        backend_name="default",
        run_after=timezone.now(),
    )


def test_only_tasks_of_dead_workers_on_this_host_are_taken_over():
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    # A live process that is not a worker (the pid of a dead one handed on) does not count.
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "run_worker"])
    try:
        host = workers.worker_id().split(":")[0]
        gone = _running_row(f"{host}:{dead_pid}:a")
        reused = _running_row(f"{host}:{other.pid}:b")
        running = _running_row(f"{host}:{alive.pid}:c")
        elsewhere = _running_row(f"another-host:{dead_pid}:d")
        legacy = _running_row("Zq3kT0aXk1bOGmz9yRrl2H0sGsBDoWQz")  # db_worker's random id
        third = _running_row(*(f"{host}:{dead_pid}:{n}" for n in "efg"))
        assert workers.take_over_orphans() == (2, 1)
    finally:
        _stop(other, alive)
    status = {
        name: DBTaskResult.objects.get(pk=row.pk).status
        for name, row in [("gone", gone), ("reused", reused), ("running", running),
                          ("elsewhere", elsewhere), ("legacy", legacy), ("third", third)]
    }  # fmt: skip
    assert status == {
        "gone": TaskResultStatus.READY,
        "reused": TaskResultStatus.READY,
        "running": TaskResultStatus.RUNNING,
        "elsewhere": TaskResultStatus.RUNNING,
        "legacy": TaskResultStatus.RUNNING,
        "third": TaskResultStatus.FAILED,  # it killed three workers: not a fourth
    }
    assert "died 3 times" in DBTaskResult.objects.get(pk=third.pk).traceback


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], float]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), time.monotonic()))
        return "250 Message accepted for delivery"


def _papers(path: Path, count: int) -> None:
    """``count`` papers of the demo corpus under new ids (the demo's own come with vectors)."""
    with gzip.open(DEMO, "rt") as demo, path.open("w") as out:
        for n, line in zip(range(count), demo, strict=False):
            record = json.loads(line)
            record["id"] = f"2912.{n:05d}"
            out.write(json.dumps(record) + "\n")


def test_a_confirmation_mail_does_not_wait_behind_an_imports_embeddings(tmp_path):
    from paperboy.digests import subscribing

    inbox = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    env = child_env(PB_TEST_SMTP_PORT=str(port), PAPERBOY_EMBEDDING_BACKEND="onnx")
    papers = tmp_path / "papers.jsonl"
    _papers(papers, 3000)
    imported = subprocess.run(
        [sys.executable, str(RUN_CHILD), "import", "papers", str(papers)],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    embeddings = DBTaskResult.objects.filter(task_path="paperboy.search.tasks.embed_papers")
    assert embeddings.filter(status=TaskResultStatus.READY).count() >= 10  # 3,000 papers' worth

    # As `paperboy up` runs them.
    batch = start_worker("--queue-name", "default", "--nice", "10", "--threads", "1", env=env)
    mail = start_worker("--queue-name", "mail", "--nice", "0", env=env)
    try:
        _wait(lambda: embeddings.filter(status=TaskResultStatus.RUNNING).exists(), 60,
              "the batch worker started on the embeddings")  # fmt: skip
        asked = time.monotonic()
        subscribing.request(email="reader@example.org", frequency="daily")
        _wait(lambda: inbox.messages, 10, "the confirmation mail reached the SMTP server")
        # A password reset (allauth's mail, through lib/outbox.py) takes the same road.
        make_user("dana", email="dana@example.org")
        reset_asked = time.monotonic()
        page = Client().post("/accounts/password/reset/", {"email": "dana@example.org"})
        assert page.status_code == 302
        _wait(lambda: len(inbox.messages) >= 2, 10, "the reset mail reached the SMTP server")
        # Arrived while the import's embedding tasks were still waiting or running.
        assert embeddings.exclude(status=TaskResultStatus.SUCCESSFUL).count() >= 5
    finally:
        _stop(batch, mail)
        smtp.stop()
    (recipients, at) = inbox.messages[0]
    assert recipients == ["reader@example.org"]
    print(f"confirmation delivered {at - asked:.1f} s after the request")
    (recipients, at) = inbox.messages[1]
    assert recipients == ["dana@example.org"]
    print(f"password reset delivered {at - reset_asked:.1f} s after the request")
