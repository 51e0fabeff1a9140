"""Digest sending benchmark: N confirmed subscribers (half of them members with upvote
histories) against a local aiosmtpd sink.

    .venv/bin/python bench/digests.py                       # 10,000 subscribers, SQLite
    .venv/bin/python bench/digests.py --subscribers 2000 --papers 5000
    DATABASE_URL=postgres://… .venv/bin/python bench/digests.py

Builds a fresh database in ``--data-dir`` (the shared corpus of bench/corpus.py, its last list
day being the day the current daily digest covers), members with ``--upvotes`` upvotes each,
then times ``sending.send`` for the current daily period: compose (trending + "for you" through
``paperboy.search.similar.similar_papers``), render the template triplet, hand off over SMTP to
``python -m aiosmtpd … Sink`` in a separate process, record the delivery. Prints total time,
digests/s, peak RSS, and checks every subscriber got exactly one delivery. Goal: 10k in ≤ 120 s.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the aiosmtpd sink did not start on port {port}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--upvotes", type=int, default=20, help="upvotes per member")
    parser.add_argument("--data-dir", default="/tmp/paperboy-bench-digests")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)

    data_dir = Path(args.data_dir)
    if not os.environ.get("DATABASE_URL"):
        shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["PAPERBOY_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperboy.settings")
    os.environ.setdefault("PAPERBOY_SITE_URL", "https://papers.example.org")
    port = _free_port()
    os.environ["PAPERBOY_SMTP_URL"] = f"smtp://127.0.0.1:{port}"

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from bench import corpus
    from paperboy.accounts.models import User
    from paperboy.digests import periods, sending
    from paperboy.digests.models import Delivery, Subscription
    from paperboy.feed.models import DailyEntry, Upvote

    print(f"uptime: {os.popen('uptime').read().strip()}")
    call_command("migrate", verbosity=0)
    period = periods.current(periods.DAILY, timezone.localdate())
    t0 = time.perf_counter()
    corpus.load(args.papers, end=period.start, progress=None)
    on_list = DailyEntry.objects.between(period.start, period.end).count()
    print(f"corpus: {args.papers:,} papers, {on_list} on the list of {period.key} "
          f"({time.perf_counter() - t0:.1f} s)")  # fmt: skip

    t0 = time.perf_counter()
    rng = random.Random(0)
    members = args.subscribers // 2
    User.objects.bulk_create(
        [User(username=f"member{i}", email=f"member{i}@example.org") for i in range(members)],
        batch_size=1000,
    )
    user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    paper_ids = list(DailyEntry.objects.values_list("paper_id", flat=True))
    Upvote.objects.bulk_create(
        [
            Upvote(user_id=uid, paper_id=pid)
            for uid in user_ids
            for pid in rng.sample(paper_ids, min(args.upvotes, len(paper_ids)))
        ],
        batch_size=5000,
    )
    now = timezone.now()
    Subscription.objects.bulk_create(
        [
            Subscription(
                email=f"member{i}@example.org" if i < members else f"reader{i}@example.net",
                user_id=user_ids[i] if i < members else None,
                confirmed_at=now,
                # One subscriber in ten narrows the trending section to a category.
                categories=["cs.CL"] if i % 10 == 0 else [],
            )
            for i in range(args.subscribers)
        ],
        batch_size=1000,
    )
    print(f"subscribers: {args.subscribers:,} ({members:,} members with {args.upvotes} upvotes "
          f"each) ({time.perf_counter() - t0:.1f} s)")  # fmt: skip

    try:
        from paperboy.search.similar import similar_papers  # noqa: F401

        print("for you: paperboy.search.similar.similar_papers")
    except ImportError:
        print("for you: off (paperboy.search.similar is not there)")

    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for(port)
        t0 = time.perf_counter()
        report = sending.send([period])
        elapsed = time.perf_counter() - t0
    finally:
        sink.terminate()
        sink.wait(timeout=10)

    sent = Delivery.objects.filter(period=period.key, status="sent")
    per_sub = sent.values("subscription_id").distinct().count()
    with_for_you = sum(
        1
        for ids, uid in sent.values_list("paper_ids", "subscription__user_id")
        if uid and len(ids) > 10
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"report: {report}")
    print(f"digests with a 'for you' section: {with_for_you:,}")
    print(f"every subscriber exactly once: {per_sub == sent.count() == report.sent}")
    print(f"send: {report.sent:,} digests in {elapsed:.1f} s = {report.sent / elapsed:,.0f} "
          f"digests/s; peak RSS {peak_mb:,.0f} MB")  # fmt: skip
    projected = elapsed * 10_000 / max(report.sent, 1)
    print(f"goal (10k in <= 120 s): {'met' if projected <= 120 else 'MISSED'}")
    if not args.keep and not os.environ.get("DATABASE_URL"):
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
