"""CI fails when a test is skipped: a missing Chromium or PostgreSQL must not pass silently."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SKIPPING = """
import pytest

def test_needs_chromium():
    pytest.skip("no Chromium here")

def test_runs():
    assert True
"""


def _pytest(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_skipping.py").write_text(SKIPPING)
    # The repository's conftest.py as a plugin, on a test file outside the repository.
    command = [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml")]
    command += ["--rootdir", str(ROOT), "-p", "conftest", "-q", str(tmp_path)]
    environ = {k: v for k, v in os.environ.items() if k != "PAPERBOY_NO_SKIPS"}
    environ["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        command, env={**environ, **env}, capture_output=True, text=True, timeout=120
    )


def test_a_skipped_test_fails_the_run_when_skips_are_forbidden(tmp_path):
    result = _pytest(tmp_path, PAPERBOY_NO_SKIPS="1")

    assert result.returncode == 1, result.stdout + result.stderr
    assert "skipped tests fail this run (PAPERBOY_NO_SKIPS=1)" in result.stdout
    assert "test_needs_chromium: Skipped: no Chromium here" in result.stdout


def test_without_the_flag_a_skip_is_only_reported(tmp_path):
    result = _pytest(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 1 skipped" in result.stdout


def test_the_ci_script_runs_the_test_command_on_both_databases_with_skips_forbidden():
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.rstrip().endswith("make test </dev/null")
    dry_run = subprocess.run(
        ["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, timeout=60
    ).stdout
    assert "PAPERBOY_NO_SKIPS=1 .venv/bin/pytest -q --db=sqlite" in dry_run
    assert "PAPERBOY_NO_SKIPS=1 .venv/bin/pytest -q --db=postgres" in dry_run
