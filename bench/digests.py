"""Digest sending benchmark: N confirmed subscribers (half of them members with upvote
histories) against a local aiosmtpd sink.

    .venv/bin/python bench/digests.py                       # 10,000 subscribers, SQLite
    .venv/bin/python bench/digests.py --subscribers 2000 --data-dir /tmp/pb-digests --keep
    .venv/bin/python bench/digests.py --subscribers 600 --profile /tmp/digests.prof
    DATABASE_URL=postgres://… .venv/bin/python bench/digests.py

Builds a database in ``--data-dir``: the shared corpus of bench/corpus.py (its last list day
being the day the current daily digest covers), paper vectors as a real deployment has them
(the default offline model's id; each paper gets the real vector of a shipped demo paper plus
noise, as in bench/search_latency.py; ``--no-vectors`` leaves them out, which measures the
lexical fallback of sites without vectors), members with ``--upvotes`` upvotes each. With
``--keep``, a later run on the same ``--data-dir`` and the same sizes reuses that database
(its deliveries deleted) and only measures.

Every member's For-you model is trained in the build, as ``foryou.tasks.retrain`` trains it
(unless ``--no-vectors``). Then it times ``sending.send`` for the current daily period:
compose (trending + "for you"), render, hand off over SMTP to ``python -m aiosmtpd … Sink``
in a separate process, record the delivery. Prints total time, digests/s, per-digest
milliseconds, peak RSS, and checks that every subscriber got exactly one delivery. Goal: 10k
in ≤ 120 s.
"""

from __future__ import annotations

import argparse
import cProfile
import json
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build(args, period) -> None:
    """Corpus, vectors, members with upvotes, confirmed subscriptions."""
    from django.db.models import OuterRef, Subquery
    from django.utils import timezone

    from bench import corpus, search_latency
    from paperboy.accounts.models import User
    from paperboy.digests.models import Subscription
    from paperboy.feed.models import DailyEntry, Upvote
    from paperboy.papers.models import Paper
    from paperboy.papers.signals import papers_imported

    # The benchmark writes its own vectors: no embedding tasks for the imported papers.
    papers_imported.disconnect(dispatch_uid="search.papers_imported")
    t0 = time.perf_counter()
    corpus.load(args.papers, end=period.start, progress=None)
    # The real papers keep their real arXiv dates (months before the list days), so For you's
    # 14-day window would be empty and every member would get the trending fallback: date each
    # paper on the day it entered the daily list, as arXiv does, so the bench measures the model.
    Paper.objects.update(
        published_at=Subquery(
            DailyEntry.objects.filter(paper_id=OuterRef("pk")).values("submitted_at")[:1]
        )
    )
    on_list = DailyEntry.objects.between(period.start, period.end).count()
    print(f"corpus: {args.papers:,} papers, {on_list} on the list of {period.key} "
          f"({time.perf_counter() - t0:.1f} s)")  # fmt: skip
    if not args.no_vectors:
        t0 = time.perf_counter()
        written = search_latency.write_vectors()
        print(f"vectors: {written:,} (shipped demo vectors + noise) "
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
    if not args.no_vectors:
        # Every member's model trained as the site's task trains it (an SVM on words, vectors
        # and categories, stored with its word weights), so the send scores real models; an
        # untrained member would be scored by the centroid of their upvotes, without words.
        from paperboy.foryou import tasks as foryou_tasks

        t0 = time.perf_counter()
        for uid in user_ids[:members]:
            foryou_tasks.retrain(uid)
        took = time.perf_counter() - t0
        print(f"for you: {members:,} members' models trained (foryou.tasks.retrain) in "
              f"{took:.1f} s ({took * 1000 / max(members, 1):.0f} ms each)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--upvotes", type=int, default=20, help="upvotes per member")
    parser.add_argument("--data-dir", default="/tmp/paperboy-bench-digests")
    parser.add_argument(
        "--keep", action="store_true", help="keep the database (a later run reuses it)"
    )
    parser.add_argument(
        "--no-vectors", action="store_true", help="no paper vectors (the lexical fallback)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="sending processes (default: as paperboy digests send, one per core)",
    )
    parser.add_argument(
        "--profile", metavar="FILE", help="write a cProfile of the send here (one worker)"
    )
    args = parser.parse_args(argv)

    data_dir = Path(args.data_dir)
    shape = {k: getattr(args, k) for k in ("subscribers", "papers", "upvotes", "no_vectors")}
    # Members' models are trained in the build: a database kept without them is rebuilt.
    shape["trained"] = "svm-words"
    # The corpus ends on the current period's list day: a database built on another day would
    # send that day's digest with an empty list (every reader skipped), so it is rebuilt.
    shape["day"] = time.strftime("%Y-%m-%d", time.gmtime())
    marker = data_dir / "bench-digests.json"
    reuse = not os.environ.get("DATABASE_URL") and marker.exists()
    if reuse and json.loads(marker.read_text()) != shape:
        reuse = False
    if not reuse and not os.environ.get("DATABASE_URL"):
        shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["PAPERBOY_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperboy.settings")
    os.environ.setdefault("PAPERBOY_SITE_URL", "https://papers.example.org")
    if args.no_vectors:
        os.environ["PAPERBOY_EMBEDDING_BACKEND"] = "none"
    port = _free_port()
    os.environ["PAPERBOY_SMTP_URL"] = f"smtp://127.0.0.1:{port}"

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from paperboy.digests import periods, sending
    from paperboy.digests.cli import default_workers
    from paperboy.digests.models import Delivery
    from paperboy.search.embeddings import configured_model_id
    from paperboy.search.models import Embedding

    print(f"uptime: {os.popen('uptime').read().strip()}")
    period = periods.current(periods.DAILY, timezone.localdate())
    if reuse:
        from paperboy.foryou.models import SeenPaper

        Delivery.objects.all().delete()
        # For you never mails a paper twice: forget what the last run mailed, or every
        # member's digest of this run would be empty (and skipped).
        SeenPaper.objects.filter(via=SeenPaper.Via.DIGEST).delete()
        print(f"reusing the database in {data_dir} (deliveries and digest-seen papers deleted)")
    else:
        call_command("migrate", verbosity=0)
        build(args, period)
        if args.keep:
            marker.write_text(json.dumps(shape))
    model_id = configured_model_id()
    with_vectors = Embedding.objects.filter(model=model_id).count() if model_id else 0
    print(f"for you: {'dense' if with_vectors else 'lexical fallback'} "
          f"({with_vectors:,} paper vectors of {model_id or 'no model'})")  # fmt: skip

    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    profile = cProfile.Profile() if args.profile else None
    workers = 1 if profile else (args.workers or default_workers())
    print(f"sending with {workers} worker process{'es' if workers > 1 else ''}")
    try:
        _wait_for(port)
        t0, cpu0, children0 = time.perf_counter(), time.process_time(), _children_cpu()
        if profile:
            profile.enable()
        report = sending.send([period], workers=workers)
        if profile:
            profile.disable()
        elapsed = time.perf_counter() - t0
        # The workers are reaped by now, the sink not yet.
        workers_cpu = _children_cpu() - children0
        cpu = time.process_time() - cpu0 + workers_cpu
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    sink_cpu = _children_cpu() - children0 - workers_cpu
    if profile:
        profile.dump_stats(args.profile)
        print(f"profile: {args.profile} (python -m pstats {args.profile})")

    sent = Delivery.objects.filter(period=period.key, status="sent")
    per_sub = sent.values("subscription_id").distinct().count()
    with_for_you = sum(
        1
        for ids, uid in sent.values_list("paper_ids", "subscription__user_id")
        if uid and len(ids) > 10
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"report: {report}")
    print(f"digests with a 'for you' section: {with_for_you:,}")
    print(f"every subscriber exactly once: {per_sub == sent.count() == report.sent}")
    print(f"send: {report.sent:,} digests in {elapsed:.1f} s = {report.sent / elapsed:,.0f} "
          f"digests/s ({elapsed * 1000 / max(report.sent, 1):.1f} ms each); "
          f"peak RSS {peak_mb:,.0f} MB (largest worker or sink {child_mb:,.0f} MB)")  # fmt: skip
    per = 1000 / max(report.sent, 1)
    print(f"cpu: sending {cpu:.1f} s ({cpu * per:.1f} ms a digest), aiosmtpd sink "
          f"{sink_cpu:.1f} s ({sink_cpu * per:.1f} ms a digest); load "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    projected = elapsed * 10_000 / max(report.sent, 1)
    print(
        f"goal (10k in <= 120 s): {'met' if projected <= 120 else 'MISSED'}"
        + ("" if report.sent == 10_000 else f" (projected {projected:.0f} s for 10k)")
    )
    if not args.keep and not os.environ.get("DATABASE_URL"):
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
