"""``paperboy ai build [--since DATE] [--llm]``: summaries and keywords from the command line.

Builds what is pending (papers without a summary, or whose abstract, method or prompt
changed), in the foreground with a progress bar on stderr, and prints a summary line. A second
run right after does nothing. ``--llm`` asks the configured OpenAI-compatible endpoint first
(PAPERBOY_LLM_URL, PAPERBOY_LLM_MODEL); the local method answers for every failure.
"""

from __future__ import annotations

import argparse
import datetime

from paperboy.lib.cli import CliError, setup_django


def register(subparsers) -> None:
    ai = subparsers.add_parser("ai", help="Summaries and keywords: build.")
    sub = ai.add_subparsers(dest="ai_command", required=True)
    build = sub.add_parser("build", help="Write the missing or outdated summaries and keywords.")
    build.add_argument(
        "--since", type=_date, help="only papers published or added on or after DATE (YYYY-MM-DD)"
    )
    build.add_argument("--llm", action="store_true", help="use the configured LLM first")
    build.set_defaults(func=cmd_build)


def _date(value: str) -> datetime.datetime:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


def cmd_build(args) -> int:
    setup_django(args)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    # after setup_django(): these need the models
    from paperboy.search.embeddings import EmbeddingError
    from paperboy.summaries import build, llm

    if args.llm and not llm.LLMConfig.from_settings().configured:
        raise CliError("--llm needs PAPERBOY_LLM_URL and PAPERBOY_LLM_MODEL")
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task("Summaries and keywords", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            result = build.build(since=args.since, use_llm=args.llm, progress=progress)
        except EmbeddingError as exc:
            raise CliError(str(exc)) from None
    print(result)
    return 0
