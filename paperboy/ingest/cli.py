"""``paperboy ingest …``, ``paperboy import papers FILE`` and ``paperboy export papers``.

    paperboy ingest arxiv --daily [--category cs.CL …]
    paperboy ingest arxiv --from 2025-01-01 --to 2025-01-31 --category cs.CL [--restart]
    paperboy ingest hf --date 2025-10-29 | --week 2025-W44 | --month 2025-10
    paperboy ingest github-stars [--limit N]
    paperboy import papers FILE.jsonl[.gz]
    paperboy export papers [-o FILE.jsonl[.gz]]

Each prints a progress bar (counts and rate) on stderr and one summary line at the end; the
exit code is 0 only when nothing failed. Other apps may add ``export`` subcommands: call
``export_subparsers(subparsers)`` (or use ``EXPORT_SUBPARSERS`` once registered).
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import time
from datetime import date

from paperboy.ingest.jsonl import JsonlSource, is_arxiv_category, read_records, record_to_json
from paperboy.lib.cli import CliError, setup_django

EXPORT_SUBPARSERS = None  # the ``export`` command's subparsers, for other apps to attach to


def export_subparsers(subparsers):
    """The subparsers of the top-level ``export`` command, creating it on first use."""
    global EXPORT_SUBPARSERS
    existing = subparsers.choices.get("export")
    if existing is not None:
        for action in existing._actions:
            if isinstance(action, argparse._SubParsersAction):
                EXPORT_SUBPARSERS = action
                return action
    export = subparsers.add_parser("export", help="Export data as JSONL.")
    EXPORT_SUBPARSERS = export.add_subparsers(dest="export_what", required=True)
    return EXPORT_SUBPARSERS


def register(subparsers) -> None:
    ingest = subparsers.add_parser("ingest", help="Fetch papers from arXiv, Hugging Face, GitHub.")
    sources = ingest.add_subparsers(dest="source", required=True)

    arxiv = sources.add_parser("arxiv", help="arXiv: today's announcements or a backfill.")
    arxiv.add_argument("--daily", action="store_true", help="Import today's announcements.")
    arxiv.add_argument("--from", dest="start", type=_date, help="Backfill from (YYYY-MM-DD).")
    arxiv.add_argument("--to", dest="end", type=_date, help="Backfill to (YYYY-MM-DD, inclusive).")
    arxiv.add_argument(
        "--category",
        action="append",
        help="arXiv category, e.g. cs.CL (repeatable; default PAPERBOY_ARXIV_CATEGORIES).",
    )
    arxiv.add_argument("--window-days", type=int, default=7, help="Backfill query window.")
    arxiv.add_argument("--page-size", type=int, default=100, help="Backfill page size (≤ 2000).")
    arxiv.add_argument("--restart", action="store_true", help="Ignore a backfill's checkpoint.")
    arxiv.set_defaults(func=cmd_arxiv)

    hf = sources.add_parser("hf", help="Hugging Face daily papers.")
    period = hf.add_mutually_exclusive_group()
    period.add_argument("--date", type=_date, help="YYYY-MM-DD (default: today)")
    period.add_argument("--week", type=_week, help="YYYY-Www")
    period.add_argument("--month", type=_month, help="YYYY-MM")
    hf.set_defaults(func=cmd_hf)

    stars = sources.add_parser("github-stars", help="Refresh GitHub stars of papers with code.")
    stars.add_argument("--limit", type=int, default=None, help="At most this many repositories.")
    stars.set_defaults(func=cmd_github_stars)

    imp = subparsers.add_parser("import", help="Import data from files.")
    what = imp.add_subparsers(dest="import_what", required=True)
    papers = what.add_parser("papers", help="Import papers from JSONL (plain or .gz).")
    papers.add_argument("file", help="FILE.jsonl or FILE.jsonl.gz ('-' for stdin)")
    papers.add_argument("--batch-size", type=int, default=1000)
    papers.set_defaults(func=cmd_import_papers)

    export = export_subparsers(subparsers).add_parser("papers", help="Export papers as JSONL.")
    export.add_argument("-o", "--output", default="-", help="FILE (.gz compresses; default stdout)")
    export.set_defaults(func=cmd_export_papers)


# --- argument types ------------------------------------------------------------------------


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a YYYY-MM-DD date") from None


def _week(value: str) -> str:
    if not re.fullmatch(r"\d{4}-W(0[1-9]|[1-4]\d|5[0-3])", value):
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO week like 2025-W44")
    return value


def _month(value: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a month like 2025-10")
    return value


# --- progress and summary ------------------------------------------------------------------


def _progress():
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
    )
    from rich.text import Text

    # runs after setup_django(): runs needs the models
    from paperboy.ingest import runs

    class Rate(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{task.speed:,.0f}/s" if task.speed else "", style="progress.data.speed")

    class Bar(runs.Progress):
        def __init__(self) -> None:
            self.rich = Progress(
                TextColumn("{task.description}"),
                BarColumn(bar_width=12),
                MofNCompleteColumn(),
                Rate(),
                TextColumn("{task.fields[counts]}"),
                console=Console(stderr=True),
            )
            self.task = None
            self.counts = runs.ImportResult()

        def start(self, description, total=None):
            if self.task is None:
                self.rich.start()
                self.task = self.rich.add_task(description, total=total, counts="")
            else:
                self.rich.update(self.task, description=description, total=total)

        def advance(self, result):
            self.counts.add(result)
            if self.task is not None:
                self.rich.update(
                    self.task, advance=result.total, counts=str(self.counts).replace(", ", " · ")
                )

        def tick(self, count):
            """Advance by ``count`` items that are not imports (an export's rows)."""
            if self.task is not None:
                self.rich.update(self.task, advance=count)

        def note(self, message):
            (self.rich.console if self.task is not None else Console(stderr=True)).print(message)

        def stop(self):
            if self.task is not None:
                self.rich.stop()
                self.task = None

    return Bar()


def _finish(label: str, run, started: float, bar) -> int:
    bar.stop()
    if run.skipped:
        raise CliError(f"{label}: another run of this source is in progress; try again later.")
    result = run.result
    for arxiv_id, reason in result.failures[:20]:
        print(f"failed {arxiv_id}: {reason}", file=sys.stderr)
    if result.failed > 20:
        print(f"… and {result.failed - 20} more failures", file=sys.stderr)
    print(f"{label}: {result} ({time.monotonic() - started:.1f} s)")
    return 0 if result.failed == 0 else 1


def _run(label: str, call) -> int:
    # the sources' clients load httpx (~150 ms); 'paperboy --help' builds this module's parser
    from paperboy.ingest.arxiv import ArxivError
    from paperboy.ingest.github import GithubError
    from paperboy.ingest.hf import HfError

    # One log line per HTTP request would bury the bar; retries and failures are still told.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    started = time.monotonic()
    bar = _progress()
    try:
        run = call(bar)
    except (ArxivError, HfError, GithubError) as e:
        bar.stop()
        raise CliError(f"{label}: {e}") from None
    except BaseException:
        bar.stop()
        raise
    return _finish(label, run, started, bar)


# --- commands ------------------------------------------------------------------------------


def cmd_arxiv(args: argparse.Namespace) -> int:
    setup_django(args)
    # after setup_django(): jobs needs the models
    from paperboy.ingest import jobs

    for code in args.category or []:
        if not is_arxiv_category(code):
            raise CliError(f"{code!r} is not an arXiv category (e.g. cs.CL)")
    if args.daily:
        if args.start or args.end:
            raise CliError("use either --daily or --from/--to, not both")
        return _run(
            "arxiv daily",
            lambda bar: jobs.run_arxiv_daily(categories=args.category, progress=bar),
        )
    if not (args.start and args.end):
        raise CliError("say --daily, or give a backfill range with --from and --to")
    if args.end < args.start:
        raise CliError("--to is before --from")
    if not args.category or len(args.category) != 1:
        raise CliError("a backfill takes exactly one --category")
    if not 1 <= args.page_size <= 2000 or args.window_days < 1:
        raise CliError("--page-size must be 1–2000 and --window-days at least 1")
    return _run(
        f"arxiv {args.category[0]} {args.start}..{args.end}",
        lambda bar: jobs.run_arxiv_backfill(
            category=args.category[0],
            start=args.start,
            end=args.end,
            window_days=args.window_days,
            page_size=args.page_size,
            restart=args.restart,
            progress=bar,
        ),
    )


def cmd_hf(args: argparse.Namespace) -> int:
    setup_django(args)
    from django.utils import timezone

    # after setup_django(): jobs needs the models
    from paperboy.ingest import jobs

    if args.week:
        period = {"week": args.week}
    elif args.month:
        period = {"month": args.month}
    else:
        period = {"date": (args.date or timezone.now().date()).isoformat()}
    label = "hf " + next(iter(period.values()))
    return _run(label, lambda bar: jobs.run_hf(progress=bar, **period))


def cmd_github_stars(args: argparse.Namespace) -> int:
    setup_django(args)
    # after setup_django(): jobs needs the models
    from paperboy.ingest import jobs

    return _run("github stars", lambda bar: jobs.run_github_stars(limit=args.limit, progress=bar))


def cmd_import_papers(args: argparse.Namespace) -> int:
    setup_django(args)
    from pathlib import Path

    # after setup_django(): the importer needs the models
    from paperboy.ingest.importer import ImportResult, import_records

    source = sys.stdin.buffer if args.file == "-" else Path(args.file)
    if source is not sys.stdin.buffer and not source.is_file():
        raise CliError(f"{args.file}: no such file")
    started = time.monotonic()
    bar = _progress()
    bad = ImportResult()

    def line_error(error) -> None:
        bad.fail(f"line {error.line}", error.message)
        bar.advance(ImportResult(failed=1))

    bar.start(f"import {args.file}")
    try:
        records = (
            read_records(source, on_error=line_error)
            if source is sys.stdin.buffer
            else JsonlSource(str(source), on_error=line_error)
        )
        result = import_records(
            records,
            batch_size=max(1, args.batch_size),
            on_batch=bar.advance,
            bulk=True,
        )
    except (OSError, EOFError, UnicodeDecodeError) as e:
        bar.stop()
        raise CliError(f"{args.file}: cannot read it ({e})") from None
    result.add(bad)
    return _finish(f"import {args.file}", _Done(result), started, bar)


class _Done:
    skipped = False

    def __init__(self, result) -> None:
        self.result = result


def cmd_export_papers(args: argparse.Namespace) -> int:
    setup_django(args)
    import gzip
    import io
    import json
    import os

    # after setup_django(): models need the app registry
    from paperboy.papers.models import Paper

    papers = (
        Paper.objects.select_related("organization")
        .prefetch_related("authorships__author", "categories")
        .order_by("pk")
    )
    started = time.monotonic()
    count = 0
    if args.output == "-":
        out, raw = sys.stdout, None
    else:
        try:
            raw = open(args.output, "wb")  # noqa: SIM115 (closed below)
        except OSError as e:
            raise CliError(f"{args.output}: cannot write it ({e.strerror})") from None
        binary = (
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)
            if args.output.endswith(".gz")
            else raw
        )
        out = io.TextIOWrapper(binary, encoding="utf-8", newline="\n")
    bar = _progress()
    bar.start("export papers", total=Paper.objects.count())
    try:
        for paper in papers.iterator(chunk_size=2000):
            out.write(json.dumps(record_to_json(paper), ensure_ascii=False) + "\n")
            count += 1
            if count % 500 == 0:
                bar.tick(500)
        bar.tick(count % 500)
        out.flush()
    except BrokenPipeError:
        # The reader went away (``paperboy export papers | head``): stop, quietly.
        bar.stop()
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print(f"export papers: the reader stopped after {count} papers", file=sys.stderr)
        return 1
    finally:
        bar.stop()
        if raw is not None:
            out.close()
            raw.close()
    print(
        f"export papers: {count} papers ({time.monotonic() - started:.1f} s)",
        file=sys.stderr,
    )
    return 0
