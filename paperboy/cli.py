"""The ``paperboy`` command: the one entry point for operators and readers.

    paperboy up [--host H] [--port P] [--data-dir D] [--workers N] [--threads N] [--no-demo]
    paperboy manage <django command> [args…]
    paperboy --version

Each app may add its own subcommands: a ``paperboy/<app>/cli.py`` module with a
``register(subparsers)`` function is picked up automatically. Its handlers call
``setup_django(args)`` first and raise ``CliError`` for anything the user should read (both
from ``paperboy/lib/cli.py``, so an app's CLI never imports this module).
Errors print one readable line and exit non-zero.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import pkgutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import NoReturn

import paperboy
from paperboy.lib.cli import CliError, configure_django, migrate, repair, setup_django

__all__ = ["CliError", "main", "setup_django"]


def cmd_manage(args: argparse.Namespace) -> int:
    configure_django(args.data_dir)
    from django.core.management import execute_from_command_line

    if args.rest and args.rest[0] not in _NO_DATABASE:
        _repair_quietly()
    execute_from_command_line(["paperboy manage", *args.rest])
    return 0


# Django commands that must work without a database (an image build runs collectstatic).
_NO_DATABASE = {
    "help", "--help", "-h", "version", "--version", "check", "collectstatic", "makemigrations",
    "migrate", "showmigrations", "sqlmigrate", "compilemessages", "diffsettings",
    "run_worker",  # repairs itself, with its own niceness
}  # fmt: skip


def _repair_quietly() -> None:
    """The apps' ``repair`` before a management command, when the database is there at all."""
    from django.db import DatabaseError

    # The command reports an unreachable database itself, if it needs one.
    with contextlib.suppress(DatabaseError):
        repair()


def _prepare(*, demo: bool) -> None:
    """Migrate, collect static files and load the demo corpus into an empty database."""
    from django.conf import settings
    from django.core.management import call_command

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    print(f"Paperboy: data in {settings.DATA_DIR}", flush=True)
    migrate()
    repair()
    call_command("collectstatic", interactive=False, verbosity=0)
    if demo:
        # after migrate(): this module is loaded before Django is configured
        from paperboy.papers.models import Paper

        if not Paper.objects.exists():
            call_command("seed_demo")


def site_url(host: str, port: int) -> str:
    """The address links point at when ``PAPERBOY_SITE_URL`` is not set: where ``paperboy up``
    listens (a wildcard address is reached on this machine as 127.0.0.1 / ::1)."""
    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _die_with_parent() -> None:
    """In a child of ``paperboy up``, before it runs: the kernel sends it SIGTERM when ``up``
    dies, even by ``kill -9`` (Linux's PR_SET_PDEATHSIG); gunicorn, the workers and the
    scheduler then stop as they do on Ctrl-C."""
    os.setsid()  # a Ctrl-C in the terminal reaches ``up`` only, which stops them in order
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != _UP_PID:  # ``up`` died before the line above: nobody will signal us
        os._exit(1)


_UP_PID = os.getpid()


def _check_port(host: str, port: int) -> None:
    """Fail with one line, before anything starts, when the address is taken (an old server
    still running, or another program)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As gunicorn binds: a port left in TIME_WAIT by a stopped server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            raise CliError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc} (is another Paperboy "
                "or another program running there? stop it, or pick another --port)"
            ) from None


def _wait_until_listening(host: str, port: int, web: subprocess.Popen) -> bool:
    """Wait until the web server accepts connections; False when it exited first."""
    target = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host).strip("[]")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if web.poll() is not None:
            return False
        try:
            socket.create_connection((target, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.2)
    return web.poll() is None


def cmd_up(args: argparse.Namespace) -> int:
    # Links in feeds, emails and .md pages follow the address served, unless told otherwise:
    # settings read PAPERBOY_SITE_URL, in this process and in every child.
    os.environ.setdefault("PAPERBOY_SITE_URL", site_url(args.host, args.port))
    configure_django(args.data_dir)
    from django.conf import settings

    _check_port(args.host, args.port)
    _prepare(demo=settings.PAPERBOY_DEMO and not args.no_demo)
    python = sys.executable
    env = {**os.environ, "PAPERBOY_DATA_DIR": str(settings.DATA_DIR)}
    worker = [python, "-m", "paperboy.cli", "manage", "run_worker", "--no-startup-delay"]
    commands = {
        "web": [
            python, "-m", "gunicorn", "paperboy.wsgi:application",
            "--config", "python:paperboy.gunicorn_conf",  # logs in the site's format
            "--bind", f"{args.host}:{args.port}",
            "--workers", str(args.workers),
            # Threads keep connections alive and overlap waiting on the database.
            "--worker-class", "gthread", "--threads", str(args.threads),
            "--access-logfile", "-",
            "--graceful-timeout", "10",
            # The longest query a search box sends (paperboy/lib/query.py) fits in one line.
            "--limit-request-line", "8190",
        ],
        # Interactive work (confirmation mail, a member's For-you model after an upvote) never
        # waits behind batch work (README: queues), and is picked up within 0.1 s, not 1 s.
        "mail worker": [*worker, "--queue-name", "mail", "--nice", "0", "--interval", "0.1"],
        # Batch work at a lower CPU priority and on one compute thread: the web keeps the cores.
        "batch worker": [*worker, "--queue-name", "default", "--nice", "10", "--threads", "1"],
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
        procs[name] = subprocess.Popen(cmd, env=env, preexec_fn=_die_with_parent)
    exit_code = 0
    if _wait_until_listening(args.host, args.port, procs["web"]):
        here = site_url(args.host, args.port)
        links = "" if here == settings.SITE_URL else f"; links use {settings.SITE_URL}"
        print(f"Paperboy is up at {here}/papers  (Ctrl-C stops{links})", flush=True)
    else:
        print("paperboy: the web server did not start; stopping", file=sys.stderr, flush=True)
        exit_code, stopping = 1, True
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


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("paperboy")
    except PackageNotFoundError:  # pragma: no cover - run from a checkout without installing
        return "unknown"


def _env_port() -> int:
    value = os.environ.get("PAPERBOY_PORT", "8000")
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"paperboy: PAPERBOY_PORT={value!r} is not a port number") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="paperboy", description="Paperboy: a self-hostable Daily Papers site.")
    parser.add_argument(
        "--data-dir",
        default=None,
        help="Where the SQLite database and files live (env PAPERBOY_DATA_DIR, "
        "default ./paperboy-data).",
    )
    parser.add_argument("--version", action="version", version=f"paperboy {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser(
        "up",
        help="Run the whole site: web server, task workers and scheduler.",
        description="Migrate the database, load the demo corpus into an empty one, then run "
        "gunicorn, a mail worker, a batch worker and the scheduler until Ctrl-C or SIGTERM "
        "(they stop with it, even on kill -9). Links in feeds and emails use "
        "PAPERBOY_SITE_URL, or this address when it is not set.",
    )
    up.add_argument(
        "--host",
        default=os.environ.get("PAPERBOY_HOST", "127.0.0.1"),
        help="Address to listen on (env PAPERBOY_HOST, default 127.0.0.1; 0.0.0.0 for every "
        "interface).",
    )
    up.add_argument(
        "--port",
        type=int,
        default=_env_port(),
        help="Port to listen on (env PAPERBOY_PORT, default 8000).",
    )
    up.add_argument("--data-dir", default=argparse.SUPPRESS, help="Same as the global option.")
    up.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("PAPERBOY_WEB_WORKERS", "2")),
        help="gunicorn worker processes (env PAPERBOY_WEB_WORKERS, default 2).",
    )
    up.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("PAPERBOY_WEB_THREADS", "4")),
        help="Threads per gunicorn worker (env PAPERBOY_WEB_THREADS, default 4).",
    )
    up.add_argument(
        "--no-demo",
        action="store_true",
        help="Do not load the demo corpus into an empty database (env PAPERBOY_DEMO=false).",
    )
    up.set_defaults(func=cmd_up)

    manage = sub.add_parser(
        "manage",
        help="Run a Django management command (paperboy manage help lists them).",
        add_help=False,
    )
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)

    for info in sorted(pkgutil.iter_modules(paperboy.__path__), key=lambda i: i.name):
        if info.ispkg and (Path(paperboy.__path__[0]) / info.name / "cli.py").exists():
            module = importlib.import_module(f"paperboy.{info.name}.cli")
            if hasattr(module, "register"):  # lib/cli.py is the shared part, not a command
                module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    head, rest = _split_manage(argv)
    args = parser.parse_args(head)
    if rest is not None:
        args.rest = rest  # everything after "manage" is Django's, --help included
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


def _split_manage(argv: list[str]) -> tuple[list[str], list[str] | None]:
    """``paperboy [--data-dir D] manage …``: split off what follows ``manage`` (argparse would
    read a leading ``--help`` as its own)."""
    i = 0
    while i < len(argv) and argv[i].startswith("--data-dir"):
        i += 1 if "=" in argv[i] else 2
    if i < len(argv) and argv[i] == "manage":
        return argv[: i + 1], argv[i + 1 :]
    return argv, None


if __name__ == "__main__":
    sys.exit(main())
