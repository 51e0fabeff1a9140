"""The ``paperboy`` command: the one entry point for operators and readers.

    paperboy up [--host H] [--port P] [--data-dir D] [--workers N]
    paperboy manage <django command> [args…]

Each app may add its own subcommands: a ``paperboy/<app>/cli.py`` module with a
``register(subparsers)`` function is picked up automatically. Its handlers call
``setup_django(args)`` first and raise ``CliError`` for anything the user should read.
Errors print one readable line and exit non-zero.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import NoReturn


class CliError(Exception):
    """A problem to report to the user in one line."""


def setup_django(args: argparse.Namespace | None = None) -> None:
    """Configure Django for a command (honouring ``--data-dir``)."""
    _setup_django(getattr(args, "data_dir", None))


def _setup_django(data_dir: str | None = None) -> None:
    if data_dir:
        os.environ["PAPERBOY_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperboy.settings")
    import django

    django.setup()


def cmd_manage(args: argparse.Namespace) -> int:
    _setup_django(args.data_dir)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["paperboy manage", *args.rest])
    return 0


def _prepare(*, demo: bool) -> None:
    """Migrate, collect static files and load the demo corpus into an empty database."""
    from django.conf import settings
    from django.core.management import call_command

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    print(f"Paperboy: data in {settings.DATA_DIR}", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if demo:
        call_command("seed_demo")


def cmd_up(args: argparse.Namespace) -> int:
    _setup_django(args.data_dir)
    from django.conf import settings

    _prepare(demo=settings.PAPERBOY_DEMO and not args.no_demo)
    python = sys.executable
    env = {**os.environ, "PAPERBOY_DATA_DIR": str(settings.DATA_DIR)}
    commands = {
        "web": [
            python, "-m", "gunicorn", "paperboy.wsgi:application",
            "--bind", f"{args.host}:{args.port}",
            "--workers", str(args.workers),
            # Threads keep connections alive and overlap waiting on the database.
            "--worker-class", "gthread", "--threads", str(args.threads),
            "--access-logfile", "-",
            "--graceful-timeout", "10",
            # The longest query a search box sends (paperboy/lib/query.py) fits in one line.
            "--limit-request-line", "8190",
        ],
        "worker": [python, "-m", "paperboy.cli", "manage", "db_worker", "--queue-name", "*"],
        "scheduler": [python, "-m", "paperboy.cli", "manage", "run_scheduler"],
    }  # fmt: skip
    procs: dict[str, subprocess.Popen] = {}
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for name, cmd in commands.items():
        # Own process groups, so a Ctrl-C in the terminal reaches us first and we stop them
        # in order.
        procs[name] = subprocess.Popen(cmd, env=env, start_new_session=True)
    print(f"Paperboy is up at http://{args.host}:{args.port}/papers  (Ctrl-C stops)", flush=True)
    exit_code = 0
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"paperboy: {name} exited with code {proc.returncode}; stopping", flush=True)
                exit_code = 1
                stopping = True
                break
        time.sleep(0.5)
    for proc in procs.values():
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 15
    for proc in procs.values():
        try:
            proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            proc.kill()
    print("Paperboy stopped.", flush=True)
    return exit_code


class _Parser(argparse.ArgumentParser):
    """Bad arguments: one line naming the command and the problem (no usage dump), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="paperboy", description="Paperboy: a self-hostable Daily Papers site.")
    parser.add_argument(
        "--data-dir",
        default=None,
        help="Where the SQLite database and files live (env PAPERBOY_DATA_DIR, "
        "default ./paperboy-data).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="Run the whole site: web server, task worker and scheduler.")
    up.add_argument("--host", default=os.environ.get("PAPERBOY_HOST", "127.0.0.1"))
    up.add_argument("--port", type=int, default=int(os.environ.get("PAPERBOY_PORT", "8000")))
    up.add_argument("--data-dir", default=argparse.SUPPRESS, help="Same as the global option.")
    up.add_argument("--workers", type=int, default=int(os.environ.get("PAPERBOY_WEB_WORKERS", "2")))
    up.add_argument("--threads", type=int, default=int(os.environ.get("PAPERBOY_WEB_THREADS", "4")))
    up.add_argument("--no-demo", action="store_true", help="Do not load the demo corpus.")
    up.set_defaults(func=cmd_up)

    manage = sub.add_parser("manage", help="Run a Django management command.", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)

    import paperboy

    for info in sorted(pkgutil.iter_modules(paperboy.__path__), key=lambda i: i.name):
        if info.ispkg and (Path(paperboy.__path__[0]) / info.name / "cli.py").exists():
            importlib.import_module(f"paperboy.{info.name}.cli").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from django.core.exceptions import ImproperlyConfigured
    from django.db.utils import OperationalError

    try:
        return args.func(args)
    except (CliError, ImproperlyConfigured) as exc:
        print(f"paperboy: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        print(f"paperboy: the database is not reachable: {exc}".strip(), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
