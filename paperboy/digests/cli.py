"""``paperboy digests send [--period current] [--dry-run] [--workers N]``: send the email
digests by hand.

Without ``--period``, it sends what the scheduler would: every digest due now (daily on weekdays
from 08:00, weekly on Mondays from 08:30, in ``PAPERBOY_TIME_ZONE``) plus retries whose backoff
has run out. ``--period current`` sends the current daily and weekly digests to every confirmed
subscriber who has not had them yet, whatever the time. Either way each subscriber gets each
period's digest once. ``--workers`` sending processes share the work (default: one per core);
each claims its batches before sending them, so none sends a digest another one sends.
"""

from __future__ import annotations

import argparse
import os
import sys

from paperboy.lib.cli import CliError, setup_django


def register(subparsers) -> None:
    digests = subparsers.add_parser("digests", help="Email digests.")
    sub = digests.add_subparsers(dest="digests_command", required=True)
    send = sub.add_parser("send", help="Send the digests that are due (once per subscriber).")
    send.add_argument(
        "--period",
        choices=["due", "current"],
        default="due",
        help="due (default): what the schedule says is due now; current: this period's "
        "daily and weekly digests, whatever the time",
    )
    send.add_argument(
        "--dry-run", action="store_true", help="Print what would be sent; send and write nothing."
    )
    send.add_argument(
        "--workers",
        type=_workers,
        default=default_workers(),
        metavar="N",
        help="sending processes (default: one per core, here %(default)s)",
    )
    send.set_defaults(func=cmd_send)


def default_workers() -> int:
    """One sending process per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _workers(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 1 <= n <= 64:
        raise argparse.ArgumentTypeError(f"must be between 1 and 64, not {n}")
    return n


def cmd_send(args: argparse.Namespace) -> int:
    setup_django(args)
    from django.core.mail import InvalidMailer
    from django.utils import timezone

    # after setup_django(): these need the models
    from paperboy.digests import sending
    from paperboy.digests.models import Delivery

    now = timezone.now()
    periods = sending.current_periods(now) if args.period == "current" else sending.due_periods(now)
    if args.dry_run:
        for period in periods:
            report = sending.dry_run(period)
            for line in report.lines:
                print(line)
            if report.sent or report.skipped:
                print(
                    f"{period.key}: would send {report.sent}, nothing to send for {report.skipped}"
                )
            else:
                print(f"{period.key}: no confirmed {period.frequency} subscriber is waiting for it")
        if not periods:
            print("No digest is due now (try --period current).")
        return 0
    try:
        report = sending.send(periods, workers=args.workers)
    except InvalidMailer as exc:
        raise CliError(f"the mail settings are wrong: {exc}") from None
    names = ", ".join(p.key for p in periods) or "none due, retries only"
    print(f"Digests ({names}): {report}")
    waiting = Delivery.objects.filter(status=Delivery.Status.RETRY).order_by("next_attempt_at")
    if report.last_error:
        print(f"Last mail server error: {report.last_error}", file=sys.stderr)
    if report.stopped:
        print(
            "Stopped early: several digests in a row failed for reasons that are not about "
            "their recipients; check PAPERBOY_SMTP_URL and PAPERBOY_FROM_EMAIL.",
            file=sys.stderr,
        )
    if first := waiting.first():
        at = timezone.localtime(first.next_attempt_at)
        print(
            f"{waiting.count()} waiting for a retry, the next at {at:%Y-%m-%d %H:%M %Z} "
            "(the scheduler retries them; or run this command again then)."
        )
    # Nothing went out and something failed: the mail settings or server need a look.
    return 1 if report.last_error and not report.sent else 0
