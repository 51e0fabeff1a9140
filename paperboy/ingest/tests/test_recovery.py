"""A bulk import killed with ``kill -9`` while the word index is down: the next start of any
command repairs it (``ingest/recovery.py``), not only the next import; a live import is left
alone."""

import json
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection, connections

from paperboy.ingest import pgload, recovery
from paperboy.ingest.tests.test_bulk_import import _found, _stale_documents
from paperboy.jobs.tests.children import RUN_CHILD, child_env
from paperboy.search import schema

pytestmark = pytest.mark.django_db(transaction=True)

PAPERS = 40_000  # well past the importer's rebuild threshold (5,000), so it sets things aside


def _write(path) -> None:
    with path.open("w") as out:
        for n in range(PAPERS):
            record = {
                "id": f"2504.{n:05d}",
                "title": f"Killed import paper {n} on okapi{n}",
                "abstract": f"Short abstract {n}.",
                "authors": [f"Author {n % 500}"],
                "categories": ["cs.CL"],
                "announced": "2025-04-01",
            }
            out.write(json.dumps(record) + "\n")


def _down() -> bool:
    return recovery.needs_repair(connection)


def _newest() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(arxiv_id) FROM papers_paper")
        return cursor.fetchone()[0]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(RUN_CHILD), *args],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_any_command_repairs_what_a_killed_import_left_down(tmp_path):
    papers = tmp_path / "papers.jsonl"
    _write(papers)
    child = subprocess.Popen(
        [sys.executable, str(RUN_CHILD), "import", "papers", str(papers)],
        env=child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while not _down():
            assert child.poll() is None, "the import ended before it set the index aside"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5)  # a few batches committed with the index down
    finally:
        child.kill()
        child.wait()
    assert _down()  # nothing put it back
    newest = _newest()
    word = f"okapi{int(newest.split('.')[1])}"
    if connection.vendor == "sqlite":
        assert _found(word) == set()  # committed, but not found by its words

    # Not an import, not migrate: a command that only reads.
    result = _run("papers", "ls", "--limit", "1")
    assert result.returncode == 0, result.stderr
    assert not _down()
    assert _stale_documents() == 0
    assert pgload.held(connection) is False
    assert _found(word) == {newest}


def test_a_worker_start_repairs_too(tmp_path):
    assert schema.drop_text_index(connection)  # as a killed import leaves it
    result = _run("manage", "run_worker", "--batch", "--no-startup-delay")
    assert result.returncode == 0, result.stderr
    assert schema.text_index_exists(connection)


def test_a_live_import_is_left_alone():
    assert schema.drop_text_index(connection)
    holding, release = threading.Event(), threading.Event()

    def live_import():
        # Another connection, as another process's import would have.
        with recovery.bulk_loading(connections["default"]):
            holding.set()
            release.wait(60)
        connections["default"].close()

    thread = threading.Thread(target=live_import)
    thread.start()
    try:
        assert holding.wait(30)
        assert recovery.repair(connection) is False
        assert not schema.text_index_exists(connection)
    finally:
        release.set()
        thread.join()
    assert recovery.repair(connection) is True
    assert schema.text_index_exists(connection)
