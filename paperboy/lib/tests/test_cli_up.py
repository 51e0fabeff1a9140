"""`paperboy up` end to end: a real gunicorn, task workers and scheduler, stopped by SIGTERM or
killed by SIGKILL."""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, timeout: float = 90.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout:.0f} s")


def _task_ran(database: Path, task_path: str, timeout: float = 90.0) -> None:
    """Wait until the task worker has run ``task_path`` (a row of django-tasks-db)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
                row = db.execute(
                    "SELECT status FROM django_tasks_database_dbtaskresult"
                    " WHERE task_path = ? AND status = 'SUCCESSFUL'",
                    (task_path,),
                ).fetchone()
            if row:
                return
        except sqlite3.OperationalError:  # not migrated yet, or busy
            pass
        time.sleep(0.5)
    raise AssertionError(f"{task_path} did not run within {timeout:.0f} s")


def _processes_using(data_dir: Path) -> list[int]:
    """Live processes started with this data directory (the web, worker and scheduler)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            status = (entry / "status").read_text()
        except OSError:
            continue
        if "State:\tZ" in status:
            continue
        if f"PAPERBOY_DATA_DIR={data_dir}".encode() in environ:
            pids.append(int(entry.name))
    return pids


@pytest.fixture
def up_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PAPERBOY_"))}
    env["PAPERBOY_DATA_DIR"] = str(tmp_path / "data")
    # The scheduler runs its jobs at start: the outside services are a closed local port.
    closed = f"http://127.0.0.1:{_free_port()}"
    for name in ("HF_API_URL", "GITHUB_API_URL", "ARXIV_API_URL", "ARXIV_RSS_URL"):
        env[f"PAPERBOY_{name}"] = closed
    return env


def test_up_serves_the_demo_runs_tasks_and_stops_cleanly_on_sigterm(up_env):
    port = _free_port()
    data_dir = Path(up_env.pop("PAPERBOY_DATA_DIR"))  # given by --data-dir instead
    command = [sys.executable, "-m", "paperboy.cli", "up", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--data-dir", str(data_dir)]
    proc = subprocess.Popen(
        command,
        env=up_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/health")
        assert health.status_code == 200
        assert health.text == "ok"
        page = httpx.get(f"http://127.0.0.1:{port}/papers", follow_redirects=True, timeout=10)
        assert page.status_code == 200
        assert page.text.count('class="card') >= 10  # the demo corpus is on today's page
        css = httpx.get(f"http://127.0.0.1:{port}/static/vendor/htmx.min.js", timeout=10)
        assert css.status_code == 200  # static files are served by the production server
        # The scheduler enqueued the jobs due at start and the task worker ran them. An
        # interval job is due at any hour; the daily ones (trending at 03:00 UTC) are not due
        # before their time, so waiting for one failed when the suite ran after midnight.
        _task_ran(data_dir / "paperboy.sqlite3", "paperboy.search.tasks.embed_missing")
        # Links follow the address served (no PAPERBOY_SITE_URL here): feeds and .md pages.
        here = f"http://127.0.0.1:{port}"
        rss = httpx.get(f"{here}/feeds/daily.rss", timeout=10)
        assert rss.status_code == 200
        assert f"<link>{here}/papers/" in rss.text
        assert "127.0.0.1:8000" not in rss.text
        paper = re.search(r'href="/papers/(\d{4}\.\d{4,5})"', page.text).group(1)
        md = httpx.get(f"{here}/papers/{paper}.md", timeout=10)
        assert f"- Page: {here}/papers/{paper}" in md.text
        # gunicorn, its workers, the mail and batch workers, the scheduler
        assert len(_processes_using(data_dir)) >= 5
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=90)  # a worker finishes the task in hand first
    assert proc.returncode == 0, out
    assert "Paperboy stopped." in out
    assert "Booting worker" in out and "Starting worker" in out  # gunicorn, db_worker
    assert f"Paperboy is up at http://127.0.0.1:{port}/papers" in out
    # Logs carry time, level and logger (gunicorn's own included).
    assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ INFO gunicorn.error: Booting", out, re.M)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
    assert _processes_using(data_dir) == []  # nothing left running


def test_up_refuses_a_bad_setting_in_one_line(up_env):
    up_env["PAPERBOY_PAGE_SIZE"] = "lots"
    result = subprocess.run(
        [sys.executable, "-m", "paperboy.cli", "up", "--port", str(_free_port())],
        env=up_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "paperboy: PAPERBOY_PAGE_SIZE='lots' is not a valid int (default: 50)"
    )


def _start_up(env: dict, port: int, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "paperboy.cli", "up", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-demo", *extra]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _wait_gone(data_dir: Path, timeout: float = 60.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := _processes_using(data_dir)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return left


def test_a_kill_9_of_up_takes_its_children_with_it_and_a_restart_works(up_env):
    port = _free_port()
    data_dir = Path(up_env["PAPERBOY_DATA_DIR"])
    proc = _start_up(up_env, port)
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/health").status_code == 200
        assert len(_processes_using(data_dir)) >= 5
        proc.kill()  # SIGKILL: up gets no chance to stop anything itself
        proc.wait(timeout=10)  # not communicate(): the children hold its output pipe open
        # gunicorn (and its workers), both task workers and the scheduler follow it; a worker
        # first finishes the task in hand (an ingest run retrying the closed port: seconds).
        assert _wait_gone(data_dir) == []
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
        proc = _start_up(up_env, port)
        assert _wait_for(f"http://127.0.0.1:{port}/health").status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        # Up to a minute: the batch worker finishes the task in hand (see above).
        out, _ = proc.communicate(timeout=90)
    assert proc.returncode == 0, out
    assert f"Paperboy is up at http://127.0.0.1:{port}/papers" in out
    assert "Address already in use" not in out
    assert _wait_gone(data_dir) == []


def test_up_says_when_its_port_is_taken_and_starts_nothing(up_env):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = _start_up(up_env, port)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert f"paperboy: cannot listen on 127.0.0.1:{port}: Address already in use" in out
    assert "Paperboy is up" not in out
    assert _processes_using(Path(up_env["PAPERBOY_DATA_DIR"])) == []
