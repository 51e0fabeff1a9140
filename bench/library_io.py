"""Library import and export benchmark: a 5,000-paper collection exported as BibTeX, RIS and
CSL-JSON, and each file imported into a new collection, in a 100k-paper catalog.

    nice -n 10 .venv/bin/python bench/library_io.py [--papers 100000] [--entries 5000]
        [--keep DIR] [--copy-from DIR] [--repeat 3]

1. The catalog of ``bench/feed.py`` (``--keep DIR`` reuses one, e.g.
   /tmp/paperboy-bench-cache/feed-100k), migrated to the code under test.
2. A member with a collection of ``--entries`` papers (every k-th paper of the catalog, in a
   shuffled order), written through ``library.services``.
3. Export (``library.exporting``: the collection's ids, the papers with their authors and
   categories, the writer) of each format, timed; then import (``library.importing.run``:
   parse, match by arXiv id, ``services.add_items`` into a new collection) of each file, timed,
   with a check that the copy holds the same papers in the same order. Best of ``--repeat``.
   Goals (issue 16): import of a 5,000-entry BibTeX file <= 10 s, export <= 2 s.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import feed as feedbench  # noqa: E402  (bench/feed.py: the catalog)
from library import copy_database, log  # noqa: E402  (bench/library.py: the database copy)

MEMBER = "bench-io"
GOAL_IMPORT_S = 10.0
GOAL_EXPORT_S = 2.0


def best(fn, repeat: int):
    """(the fastest wall time of ``repeat`` runs, the last result)."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=5_000)
    parser.add_argument("--keep", default="", help="a data dir to build once and reuse")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--copy-from", default="", help="start from a copy of another benchmark's kept data dir"
    )
    args = parser.parse_args(argv)

    data_dir = (
        Path(args.keep).resolve()
        if args.keep
        else Path(tempfile.mkdtemp(prefix="paperboy-bench-io-"))
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    if args.copy_from:
        copy_database(Path(args.copy_from).resolve(), data_dir)
    env = {k: v for k, v in os.environ.items() if k not in ("PAPERBOY_DEBUG", "DATABASE_URL")}
    env.update(
        PAPERBOY_DATA_DIR=str(data_dir),
        PAPERBOY_DEMO="false",
        PAPERBOY_LOG_LEVEL="WARNING",
        PAPERBOY_ARXIV_API_URL="",  # nothing is fetched: every exported paper is in the catalog
        DJANGO_SETTINGS_MODULE="paperboy.settings",
    )
    for key in ("PAPERBOY_DEBUG", "DATABASE_URL"):
        os.environ.pop(key, None)
    os.environ.update(env)
    import django

    django.setup()
    feedbench.prepare(data_dir, args.papers, env)

    from django.contrib.auth import get_user_model

    from paperboy.library import exporting, importing, services
    from paperboy.library.models import Collection
    from paperboy.papers.models import Paper

    member, _ = get_user_model().objects.get_or_create(username=MEMBER)
    Collection.objects.filter(member=member).delete()
    ids = list(Paper.objects.visible().order_by("pk").values_list("pk", flat=True))
    step = max(1, len(ids) // args.entries)
    chosen = ids[::step][: args.entries]
    random.Random(16).shuffle(chosen)
    source = services.create_collection(by=member, title="Source")
    services.add_items(source, by=member, paper_ids=chosen)
    log(f"Catalog {len(ids):,} papers; collection of {len(chosen):,} (shuffled)")

    ok = True
    log(f"{'format':<10}{'export s':>10}{'size MB':>10}{'import s':>10}{'matched':>10}  order")
    for ext in exporting.EXTENSIONS:
        export_s, response = best(
            lambda ext=ext: exporting.response(
                exporting.collection_ids(source), ext=ext, name="bench"
            ),
            args.repeat,
        )
        body = response.content

        def one_import(body=body, ext=ext):
            Collection.objects.filter(member=member, title=f"Copy {ext}").delete()
            target = services.create_collection(by=member, title=f"Copy {ext}")
            return target, importing.run(body, member=member, collection=target, fetch=False)

        import_s, (target, report) = best(one_import, args.repeat)
        same = list(target.items.in_order().values_list("paper_id", flat=True)) == chosen
        ok &= same and export_s <= GOAL_EXPORT_S and import_s <= GOAL_IMPORT_S
        log(
            f"{ext:<10}{export_s:>10.2f}{len(body) / 1e6:>10.1f}{import_s:>10.2f}"
            f"{len(report.matched):>10,}  {'same' if same else 'DIFFERENT'}"
        )
    log(f"Goals: import <= {GOAL_IMPORT_S:.0f} s, export <= {GOAL_EXPORT_S:.0f} s per file.")
    log("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
