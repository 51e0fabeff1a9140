"""Library benchmark: a member's reading list and a collection page under load.

    .venv/bin/python bench/library.py [--papers 100000] [--saved 10000] [--duration 20]
        [--connections 64] [--keep DIR] [--copy-from DIR] [--only cached,first,visitor]

On an idle machine, from a kept database (about 5 minutes)::

    .venv/bin/python bench/library.py --keep /tmp/paperboy-bench-cache/library-100k --duration 15

1. A 100k-paper catalog as ``bench/feed.py`` builds it (``--keep DIR`` reuses one; ``--copy-from
   DIR`` starts from a copy of another benchmark's kept database, taken with SQLite's backup
   API so a database in use is copied whole), migrated to the code under test.
2. A member with ``--saved`` saved papers (every tenth paper of the catalog: a spread of dates
   and titles), a tenth of them read, one in twenty with a note; a public collection of 500 of
   them. All written through ``library.services`` (``save_many``, ``add_items``), the one door.
3. Queries per page in-process, for a first page and a far one, to show the count is flat.
4. gunicorn (2 gthread workers x 4, as ``bench/feed.py``) and ``wrk`` at ``--connections``:
   ``/health``, ``/library`` (date saved; arXiv date page 100; title; unread; a text filter) as
   the member, the collection page as the member and as a visitor. Prints req/s, p50, p99,
   errors, the ratio to ``/health`` and PASS/FAIL against the goal: p99 <= 100 ms, 0 errors.
   A member's pages are served from their own copy (``lib.memberpage``) after the first view.
5. ``first`` (first views): the same member pages, each request at an address never asked for
   before (``&first=<thread>-<n>`` added by the wrk script), so every request renders the page
   and stores its copy, as the first view after a write does.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import feed as feedbench  # noqa: E402  (bench/feed.py: corpus, server and load helpers)

MEMBER = "bench-reader"
COLLECTION_SIZE = 500
GOAL_P99_MS = 100.0


# wrk: every request at a new address (first views), numbered per thread and run.
FIRST_VIEW_LUA = r"""
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads .. "-" .. os.time())
end
local n = 0
request = function()
  n = n + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "first=" .. tid .. "-" .. n)
end
"""


def log(msg: str = "") -> None:
    print(msg, flush=True)


def copy_database(source: Path, data_dir: Path) -> None:
    """A consistent copy of ``source``'s SQLite database and its marker into ``data_dir``."""
    target = data_dir / "paperboy.sqlite3"
    if target.exists():
        return
    src = sqlite3.connect(f"file:{source / 'paperboy.sqlite3'}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    shutil.copy(source / feedbench.MARKER, data_dir / feedbench.MARKER)
    log(f"Copied the database of {source}")


def make_reader(saved: int):
    """The member with ``saved`` saved papers and a public collection; a signed-in client."""
    from django.test import Client

    from paperboy.accounts.models import User
    from paperboy.library import services
    from paperboy.library.models import Collection, SavedPaper
    from paperboy.papers.models import Paper

    member, _ = User.objects.get_or_create(
        username=MEMBER, defaults={"email": f"{MEMBER}@example.org"}
    )
    have = SavedPaper.objects.filter(member=member).count()
    if have < saved:
        ids = list(Paper.objects.order_by("pk").values_list("pk", flat=True)[::10][:saved])
        for start in range(0, len(ids), 2000):
            services.save_many(member=member, paper_ids=ids[start : start + 2000])
        rows = list(SavedPaper.objects.filter(member=member).order_by("pk"))
        for n, row in enumerate(rows):
            if n % 10 == 0:
                services.mark_read(member=member, paper=row.paper_id)
            if n % 20 == 0:
                services.set_note(
                    member=member, paper=row.paper_id, note=f"Note {n}: compare with §3."
                )
    collection = Collection.objects.filter(member=member, slug="long-context").first()
    if collection is None:
        collection = services.create_collection(
            by=member,
            title="Long context",
            description="Papers on long-context attention, in reading order.",
            public=True,
            slug="long-context",
        )
        ids = list(
            SavedPaper.objects.filter(member=member)
            .order_by("pk")
            .values_list("paper_id", flat=True)[:COLLECTION_SIZE]
        )
        services.add_items(collection, by=member, paper_ids=ids)
    log(
        f"Member {MEMBER}: {SavedPaper.objects.filter(member=member).count():,} saved "
        f"({SavedPaper.objects.filter(member=member, read=True).count():,} read, "
        f"{SavedPaper.objects.filter(member=member).exclude(note='').count():,} with notes); "
        f"collection {collection.get_absolute_url()} with {collection.items.count()} papers"
    )
    client = Client(raise_request_exception=False)
    client.force_login(member)
    return client, collection.get_absolute_url()


def count_queries(client, pages: dict[str, list[str]]) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    visitor = Client(raise_request_exception=False)
    status = {}
    log("")
    log(f"{'SQL queries per page':<26} {'URL':<44} {'status':>6} {'queries':>7}")
    for name, urls in pages.items():
        who = visitor if name.endswith("(visitor)") else client
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                code = who.get(url).status_code
            status.setdefault(name, code)
            log(f"{name:<26} {url:<44} {code:>6} {len(ctx.captured_queries):>7}")
    return status


def check_member_pages(base: str, targets: dict[str, str], headers: dict[str, str]) -> None:
    """Over the wire, twice (rendered, then from the member's copy): each member page names the
    member and, on the reading list, has their read and note controls."""
    import urllib.request

    for name, path in targets.items():
        for _ in range(2):
            request = urllib.request.Request(base + path, headers=headers)
            with urllib.request.urlopen(request, timeout=120) as r:
                body = r.read().decode()
            if f">{MEMBER}<" not in body:
                raise RuntimeError(f"{path} does not show {MEMBER} signed in")
            if name == "library (date saved)" and 'class="note-box"' not in body:
                raise RuntimeError(f"{path} lacks {MEMBER}'s read and note controls")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--saved", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=20, help="seconds per URL")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--keep", metavar="DIR", help="keep (and reuse) the database in DIR")
    parser.add_argument("--copy-from", metavar="DIR", help="start from bench/feed.py's --keep DIR")
    parser.add_argument(
        "--only",
        default="cached,first,visitor",
        help="passes: cached (member pages, from their copy), first (first views), visitor",
    )
    args = parser.parse_args(argv)

    data_dir, env = feedbench.site_env(args.keep, "library")
    proc = None
    try:
        if args.copy_from:
            copy_database(Path(args.copy_from), data_dir)
        import django

        django.setup()
        feedbench.prepare(data_dir, args.papers, env)
        client, collection_url = make_reader(args.saved)
        pages = {
            "library (date saved)": ["/library", "/library?p=150"],
            "library (arXiv date)": ["/library?sort=published&p=100", "/library?sort=published"],
            "library (title)": ["/library?sort=title", "/library?sort=title&p=200"],
            "library (unread)": ["/library?read=unread", "/library?read=unread&p=150"],
            "library (filter)": ["/library?q=attention", "/library?q=compare"],
            "collection (member)": [collection_url, collection_url + "?p=10"],
            "collection (visitor)": [collection_url, collection_url + "?p=10"],
        }
        status = count_queries(client, pages)
        status["trivial (/health)"] = 200
        headers = feedbench.session_headers(client)
        from django.db import connections

        connections.close_all()
        lua = data_dir / "bench-library.lua"
        lua.write_text(feedbench.WRK_LUA)
        first_lua = data_dir / "bench-library-first.lua"
        first_lua.write_text(FIRST_VIEW_LUA + feedbench.WRK_LUA)
        passes = set(args.only.split(","))
        log(f"uptime: {os.popen('uptime').read().strip()}")
        load1 = os.getloadavg()[0]
        if load1 > 1.0:
            log(
                f"\nWARNING: load average {load1:.1f} on {os.cpu_count()} cores before the load "
                "test: other processes compete for the CPU, figures will be low and noisy."
            )
        port = feedbench.free_port()
        base = f"http://127.0.0.1:{port}"
        feedbench.run_cli("collectstatic", "--noinput", env=env)
        with open(data_dir / "gunicorn.log", "w") as logf:
            proc = feedbench.start_gunicorn(env, port, "gthread", args.workers, args.threads, logf)
            targets = {"trivial (/health)": "/health"}
            results = feedbench.load_all(targets, status, base, args, lua, "health")
            member_targets = {k: v[0] for k, v in pages.items() if not k.endswith("(visitor)")}
            check_member_pages(base, member_targets, headers)
            if "cached" in passes:
                results += feedbench.load_all(
                    member_targets, status, base, args, lua, "member", headers
                )
            if "first" in passes:
                first = {
                    f"{k} 1st": v
                    for k, v in member_targets.items()
                    if k in ("library (date saved)", "collection (member)")
                }
                status.update({k: status[k.removesuffix(" 1st")] for k in first})
                results += feedbench.load_all(
                    first, status, base, args, first_lua, "first view", headers
                )
            if "visitor" in passes:
                visitor_targets = {k: v[0] for k, v in pages.items() if k.endswith("(visitor)")}
                results += feedbench.load_all(visitor_targets, status, base, args, lua, "visitor")
            log(f"uptime: {os.popen('uptime').read().strip()}")
        feedbench.table(
            results,
            f"{args.papers:,} papers, {args.saved:,} saved, gunicorn {args.workers} x gthread "
            f"x{args.threads}, {args.connections} connections, {args.duration} s per URL",
            GOAL_P99_MS,
        )
        return 0
    finally:
        feedbench.stop(proc)
        if args.keep:
            log(f"\nKept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
