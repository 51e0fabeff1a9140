"""The layers contract (``[tool.importlinter]`` in pyproject.toml) holds on the real import graph,
function-local imports included, and it does fail when a module adds a wrong-way import."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LINT = [
    sys.executable,
    "-c",
    "from importlinter.cli import lint_imports_command; lint_imports_command()",
]


def lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*LINT, "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_apps_import_only_the_layers_below_them():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_a_wrong_way_import_breaks_the_contract(tmp_path):
    """The catalog importing the API (even inside a function) is refused by name."""
    shutil.copytree(
        ROOT / "paperboy",
        tmp_path / "paperboy",
        ignore=shutil.ignore_patterns(
            "*.pyc", "__pycache__", "static", "templates", "demo", "model"
        ),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "paperboy" / "papers" / "wrong_way.py").write_text(
        "def tokens():\n    from paperboy.api.views import router\n\n    return router\n"
    )
    result = lint(tmp_path)
    assert result.returncode == 1
    assert "paperboy.papers.wrong_way -> paperboy.api.views" in result.stdout
