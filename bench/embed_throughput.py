"""Embedding throughput: the indexing pipeline vs the raw model call on the same documents.

    .venv/bin/python bench/embed_throughput.py [--docs 256] [--max-tokens 256]

"Raw": ``onnxruntime.InferenceSession.run`` + mean pooling on batches that were tokenized
beforehand (outside the timer), in the pipeline's own order. "Pipeline": what
``paperboy index build`` runs per chunk: read titles and abstracts, build the texts, sort by
length, tokenize, run, pool, normalise, store float16 bytes. Documents: the first ``--docs``
abstracts of the demo corpus. Goal: pipeline ≥ 90 % of raw.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from paperboy.ingest.jsonl import read_records  # noqa: E402
from paperboy.lib.text import clean_text  # noqa: E402
from paperboy.search.embeddings import OnnxEmbedder, paper_text  # noqa: E402

DEMO = Path(__file__).resolve().parent.parent / "paperboy" / "demo" / "papers.jsonl.gz"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=256)
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    records = []
    for r in read_records(DEMO):
        records.append((clean_text(r.title), clean_text(r.abstract, keep_newlines=True)))
        if len(records) == args.docs:
            break
    embedder = OnnxEmbedder(max_tokens=args.max_tokens)
    texts = [paper_text(t, a) for t, a in records]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    batches = [order[i : i + args.batch] for i in range(0, len(order), args.batch)]
    feeds = [embedder.tokenize([texts[i] for i in b]) for b in batches]
    embedder.run(feeds[0])  # warm up

    raw = pipeline = float("inf")
    for _ in range(args.rounds):  # alternate, keep the best of each: the machine is shared
        started = time.perf_counter()
        for feed in feeds:
            embedder.run(feed)
        raw = min(raw, time.perf_counter() - started)

        started = time.perf_counter()
        pipeline_texts = [paper_text(t, a) for t, a in records]
        matrix = embedder.embed_many(pipeline_texts, batch_size=args.batch)
        blobs = [v.astype(np.float16).tobytes() for v in matrix]  # as vectors.to_bytes stores
        pipeline = min(pipeline, time.perf_counter() - started)
        assert len(blobs) == len(records) and np.isfinite(matrix).all()

    tokens = sum(int(f["attention_mask"].sum()) for f in feeds)
    print(
        f"{len(texts)} demo abstracts, max {args.max_tokens} tokens, batches of {args.batch} "
        f"sorted by length ({tokens / len(texts):.0f} tokens/doc), "
        f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"raw model call: {len(texts) / raw:7.1f} docs/s")
    print(
        f"pipeline:       {len(texts) / pipeline:7.1f} docs/s  "
        f"({100 * raw / pipeline:.0f} % of raw)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
