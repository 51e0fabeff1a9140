"""An upgrade from the previous release: its database, demo loaded and a member's data written by
its own code, migrates forward with the current migrations and every kind of page answers.

The previous release's code comes from git (``git archive``) and runs in its own process, as
does the current code: neither sees the other's modules. It runs on this virtualenv's packages
plus those of its own pinned runtime dependencies that this release no longer installs at that
version (installed with pip into a directory of the test's own). On ``--db=postgres`` the
database is a fresh one on the suite's embedded server; on SQLite, a file in a temporary data
directory.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import tomllib
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[3]
# The last commit before issue 13 moved Organization to papers and ApiToken to accounts
# (SeparateDatabaseAndState) and added CHECK constraints on the URL fields.
PREVIOUS_RELEASE = "59fc2a7"
TIMEOUT = 600  # per step: a hung step fails the test instead of hanging the suite

# Run by the previous release's ``manage.py shell``: a member with state in every table this
# release moved or constrained (organization membership and follow, API and feed tokens, an
# approved claim, upvotes, a comment, reported by an admin). Prints the names and the token
# plaintexts as JSON.
OLD_MEMBER = """
import json
import paperboy
from paperboy.accounts.models import AuthorClaim, Follow, Membership, User
from paperboy.api.models import ApiToken
from paperboy.comments.models import Comment
from paperboy.feed.models import DailyEntry
from paperboy.feed.votes import upvote
from paperboy.moderation.models import Report

member = User.objects.create_user("upgrader", "upgrader@example.org", "pw-upgrader-1")
entries = list(
    DailyEntry.objects.filter(organization__isnull=False).select_related("paper", "organization")
    .order_by("-day", "pk")[:5]
)
org = entries[0].organization
Membership.objects.create(organization=org, user=member, role=Membership.Role.ADMIN)
Follow.objects.create(user=member, organization=org)
paper = entries[1].paper
author = paper.authors.first()
Follow.objects.create(user=member, author=author)
AuthorClaim.objects.create(
    user=member, paper=paper, author=author, status=AuthorClaim.Status.APPROVED
)
for entry in entries:
    upvote(user_id=member.pk, paper_id=entry.paper_id)
comment = Comment.objects.create(paper=entries[0].paper, user=member, body="Hi", html="<p>Hi</p>")
admin = User.objects.create_superuser("upgrade-admin", "admin@example.org", "pw-admin-1")
Report.objects.create(comment=comment, reporter=admin, reason=Report.Reason.SPAM)
_, api_token = ApiToken.issue(user=member, name="cli", scope=ApiToken.Scope.API)
_, feed_token = ApiToken.issue(user=member, name="reader", scope=ApiToken.Scope.FEED)
print(json.dumps({
    "code": list(paperboy.__path__), "username": member.username, "api": api_token,
    "feed": feed_token, "admin": admin.username,
}))
"""


def extract_previous_release(into: Path) -> Path:
    """The previous release's code (``paperboy/``, ``manage.py``), from this checkout's history."""
    known = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{PREVIOUS_RELEASE}^{{commit}}"],
        capture_output=True,
        text=True,
    )
    if known.returncode != 0:
        pytest.fail(
            f"The previous release, commit {PREVIOUS_RELEASE}, is not in the history of {ROOT} "
            f"({known.stderr.strip() or 'git failed'}): the upgrade test needs a full clone "
            "(`git fetch --unshallow`)."
        )
    into.mkdir()
    archive = subprocess.run(
        [
            "git",
            "-C",
            str(ROOT),
            "archive",
            PREVIOUS_RELEASE,
            "paperboy",
            "manage.py",
            "pyproject.toml",
        ],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def missing_dependencies(release: Path) -> list[str]:
    """The release's pinned runtime dependencies that this virtualenv lacks at that version."""
    project = tomllib.loads((release / "pyproject.toml").read_text())["project"]
    missing = []
    for requirement in project["dependencies"]:
        name, version = re.fullmatch(r"([\w.-]+)(?:\[[\w,-]+\])?==([\w.+-]+)", requirement).groups()
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            missing.append(f"{name}=={version}")
    return missing


def install_dependencies(requirements: list[str], into: Path) -> None:
    result = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--no-deps", "--target", str(into), *requirements,
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )  # fmt: skip
    if result.returncode != 0:
        pytest.fail(
            f"The previous release needs {', '.join(requirements)}, which pip could not "
            f"install:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )


def database_env(request, tmp_path: Path) -> dict[str, str]:
    """The environment that points both releases at one new, empty database."""
    data_dir = tmp_path / "data"
    (data_dir / "static").mkdir(parents=True)  # STATIC_ROOT: WhiteNoise warns without it
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PAPERBOY_", "DJANGO_")) and key not in ("DATABASE_URL",)
    }
    env |= {
        "PAPERBOY_DATA_DIR": str(data_dir),
        "PAPERBOY_CACHE_URL": "locmem://",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if request.config.getoption("--db") == "postgres":
        env["DATABASE_URL"] = _new_postgres_database(tmp_path.name)
    return env


def _new_postgres_database(name: str) -> str:
    """A new database on the suite's embedded server (conftest.py fills DATABASES from it)."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    name = "upgrade_" + "".join(c if c.isalnum() else "_" for c in name.lower())[:40]
    conninfo = {"host": db["HOST"], "port": db["PORT"] or None, "user": db["USER"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{db['USER']}@{quote(db['HOST'], safe='')}{port}/{name}"


def run(label: str, code: Path, args: list[str], env: dict[str, str], path: str = "") -> str:
    """Run ``python ARGS`` in ``code`` with ``code`` (then ``path``) first on the module path, so
    that its paperboy is the one imported; fail with its output."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, *args],
        cwd=code,
        env={**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(code), path]))},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    print(f"{label}: {time.monotonic() - started:.1f}s")
    if result.returncode != 0:
        pytest.fail(
            f"{label} failed (exit {result.returncode}):\n{result.stdout[-4000:]}\n"
            f"{result.stderr[-4000:]}"
        )
    return result.stdout


def test_a_demo_database_of_the_previous_release_migrates_and_every_page_answers(request, tmp_path):
    old = extract_previous_release(tmp_path / "previous")
    old_packages = ""
    if missing := missing_dependencies(old):
        old_packages = str(tmp_path / "previous-packages")
        install_dependencies(missing, Path(old_packages))
    env = database_env(request, tmp_path)

    def previous(label: str, *args: str) -> str:
        return run(f"previous release: {label}", old, ["manage.py", *args], env, old_packages)

    previous("migrate", "migrate", "-v0")
    loaded = previous("seed_demo", "seed_demo", "-v0")
    assert "Papers: 3" in loaded, loaded
    made = previous("a member", "shell", "-c", OLD_MEMBER)
    member = json.loads(made.strip().splitlines()[-1])
    assert member["code"] == [str(old / "paperboy")]  # the previous release's code, not ours

    migrated = run("current: migrate", ROOT, ["manage.py", "migrate", "-v1"], env)
    assert "Applying papers.0007_organization_from_accounts... OK" in migrated, migrated

    pages = run(
        "current: every page",
        ROOT,
        [
            "-m",
            "paperboy.lib.tests.upgrade_pages",
            member["username"],
            member["api"],
            member["feed"],
            member["admin"],
        ],
        env,
    )
    print(pages)  # each page's answer and time, shown when the test fails
    assert "/api/whoami-v2" in pages
