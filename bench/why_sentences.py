"""CPU of the search page's per-hit reasons (issue 18): the sentence of each meaning-only hit's
abstract closest to the query, on a kept bench/api.py database (100k papers).

    nice -n 10 .venv/bin/python bench/why_sentences.py [--keep /tmp/paperboy-bench-cache/api-100k]
        [--queries 8] [--padded]

For each of the first ``--queries`` sentence queries of bench/api.py (none seen before by this
process), GET /papers/search?q= in-process (Django's test client, DEBUG off) with every
paper's sentence vectors forgotten first; prints the page's CPU time and the part spent in
``engine.closest_sentences`` (the sentences of the page's meaning-only hits), then the same
page again (sentences kept per process). ``--padded --turn 20``: the sentences embedded as before
commit bd8fdc5 (length-sorted batches of 32 padded to the longest), for the before figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", default="/tmp/paperboy-bench-cache/api-100k")
    parser.add_argument("--queries", type=int, default=8)
    parser.add_argument("--padded", action="store_true")
    parser.add_argument("--turn", type=int, default=0, help="papers per embedding job")
    args = parser.parse_args(argv)
    for key in ("PAPERBOY_DEBUG", "DATABASE_URL"):
        os.environ.pop(key, None)
    os.environ.update(
        PAPERBOY_DATA_DIR=str(Path(args.keep).resolve()),
        PAPERBOY_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        PAPERBOY_DEMO="false",
        PAPERBOY_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="paperboy.settings",
    )
    import django

    django.setup()
    import api  # bench/api.py: the same sentence queries
    import numpy as np
    from django.test import Client

    from paperboy.search import engine
    from paperboy.search.embeddings import get_embedder

    embedder = get_embedder()
    engine.SENTENCE_TURN = args.turn or engine.SENTENCE_TURN
    if args.padded:

        def padded(texts):
            out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
            for start in range(0, len(order), 32):
                idx = order[start : start + 32]
                feed = embedder.tokenize([texts[i] for i in idx])
                out[idx] = embedder.run(feed, session=embedder._single_session())
            return out

        embedder.embed_here = padded
    spent = [0.0, 0]
    closest = engine.closest_sentences

    def timed(query, papers):
        t0 = time.process_time()
        try:
            return closest(query, papers)
        finally:
            spent[0] += time.process_time() - t0
            spent[1] += len(papers)

    engine.closest_sentences = timed
    client = Client()
    client.get("/papers/search?" + urlencode({"q": "warm up the model and the index"}))
    queries = api.search_queries()["search (sentence)"][: args.queries]
    cold, cold_why, warm = [], [], []  # pages with meaning-only hits
    for query in queries:
        url = "/papers/search?" + urlencode({"q": query})
        engine._sentence_vectors.clear()
        spent[:] = [0.0, 0]
        t0 = time.process_time()
        status = client.get(url).status_code
        page, why, hits = time.process_time() - t0, spent[0], spent[1]
        t0 = time.process_time()
        client.get(url)
        again = time.process_time() - t0
        print(
            f"{status} page {page:.2f} s CPU, sentences of {hits} meaning hits "
            f"{why:.2f} s; again {again:.3f} s  {query[:60]!r}",
            flush=True,
        )
        if hits:
            cold.append(page)
            cold_why.append(why)
            warm.append(again)
    print(
        f"{'padded' if args.padded else 'now'}: {len(cold)} pages with meaning-only "
        f"hits: median page {statistics.median(cold):.2f} s "
        f"CPU, of which sentences {statistics.median(cold_why):.2f} s; the same page again "
        f"{statistics.median(warm):.3f} s; load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
