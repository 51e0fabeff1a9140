"""The ``paperboy`` command on a fresh data directory, as a newcomer meets it (issue 15.5), and
its log lines (issue 15.12)."""

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "demo" / "papers.jsonl.gz"


@pytest.fixture
def fresh(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PAPERBOY_"))}
    env["PAPERBOY_DATA_DIR"] = str(tmp_path / "data")
    return env


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "paperboy.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_import_into_a_fresh_data_directory_simply_imports(fresh, tmp_path):
    papers = tmp_path / "papers.jsonl"
    with gzip.open(DEMO, "rt") as demo:
        papers.write_text("".join(next(demo) for _ in range(5)))
    result = _run(fresh, "import", "papers", str(papers))
    assert result.returncode == 0, result.stderr
    assert "5 new, 0 updated, 0 unchanged, 0 failed" in result.stdout
    assert "not reachable" not in result.stderr
    listed = _run(fresh, "papers", "ls", "--json")
    assert listed.returncode == 0, listed.stderr


def test_help_and_version(fresh):
    manage = _run(fresh, "manage", "--help")
    assert manage.returncode == 0, manage.stderr
    assert "run_worker" in manage.stdout and "migrate" in manage.stdout
    version = _run(fresh, "--version")
    assert version.returncode == 0
    assert re.fullmatch(r"paperboy \d+\.\d+\.\d+\n", version.stdout)
    up = _run(fresh, "up", "--help")
    assert up.returncode == 0
    for option in ("--host", "--port", "--workers", "--threads", "--no-demo"):
        line = next(x for x in up.stdout.splitlines() if x.strip().startswith(option))
        assert len(line.split(maxsplit=2)) == 3, f"{option} has no help text: {line!r}"
    assert not (Path(fresh["PAPERBOY_DATA_DIR"]) / "paperboy.sqlite3").exists()  # no database


def test_log_lines_carry_time_level_and_logger_plain_or_json(fresh):
    code = "import logging; logging.getLogger('paperboy.probe').warning('hello %s', 'there')"
    plain = _run(fresh, "manage", "shell", "-c", code)
    assert re.search(
        r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WARNING paperboy.probe: hello there$",
        plain.stderr,
        re.M,
    ), plain.stderr
    as_json = _run({**fresh, "PAPERBOY_LOG_FORMAT": "json"}, "manage", "shell", "-c", code)
    line = json.loads(as_json.stderr.strip().splitlines()[-1])
    assert line["level"] == "WARNING"
    assert line["logger"] == "paperboy.probe"
    assert line["message"] == "hello there"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])
