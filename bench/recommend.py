"""Offline evaluation of "For you" (issue 17) on the shared arXiv corpus: printed figures.

    nice -n 10 .venv/bin/python bench/recommend.py            # embeds once (cached), then evaluates
    .venv/bin/python bench/recommend.py --embed-only          # just fill the vector cache

(Work in progress: the evaluation follows.)
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SOURCE = Path(os.environ.get("PAPERBOY_BENCH_SOURCE", "/work/shared/data/arxiv-cs.jsonl.gz"))
CACHE = Path(os.environ.get("PAPERBOY_BENCH_CACHE", "/tmp/paperboy-bench-cache"))
EMBED_TOKENS = 48  # every title fits
CHUNK = 2048

_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def load_corpus() -> list[dict]:
    with gzip.open(SOURCE, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def first_sentence(abstract: str) -> str:
    text = _SPACE.sub(" ", abstract or "").strip()
    return _SENTENCE_END.split(text, maxsplit=1)[0] if text else ""


def embedded_text(paper: dict) -> str:
    """What the bench embeds per paper: its title only. CPU budget: on this shared 2-core
    machine title + first sentence ran at ~20 papers/s (an hour for the corpus), full abstracts
    slower still; titles run ~4x faster. The site embeds title + abstract, so the bench's
    vectors are weaker than the product's (see the module docstring)."""
    return _SPACE.sub(" ", paper["title"] or "").strip()


def corpus_vectors(papers: list[dict]) -> np.ndarray:
    """Unit vectors of ``embedded_text`` with the shipped model, cached chunk by chunk (a killed
    run resumes where it stopped)."""
    from paperboy.search.embeddings import OnnxEmbedder

    texts = [embedded_text(p) for p in papers]
    embedder = OnnxEmbedder(max_tokens=EMBED_TOKENS, threads=2)
    key = hashlib.sha1(("\n".join(texts) + embedder.model_id).encode()).hexdigest()[:12]
    folder = CACHE / f"recommend-vectors-{key}"
    whole = folder / "all.npy"
    if whole.exists():
        return np.load(whole)
    folder.mkdir(parents=True, exist_ok=True)
    parts = []
    started = time.perf_counter()
    for n, start in enumerate(range(0, len(texts), CHUNK)):
        path = folder / f"chunk-{n:04d}.npy"
        if not path.exists():
            part = embedder.embed_many(texts[start : start + CHUNK], batch_size=64)
            np.save(path, part.astype(np.float16))
            rate = (start + CHUNK) / (time.perf_counter() - started)
            print(
                f"  embedded {min(start + CHUNK, len(texts))}/{len(texts)} ({rate:.0f}/s)",
                file=sys.stderr,
                flush=True,
            )
        parts.append(np.load(path))
    matrix = np.concatenate(parts).astype(np.float32)
    np.save(whole, matrix)
    return matrix


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embed-only", action="store_true")
    args = parser.parse_args(argv)
    papers = load_corpus()
    vectors = corpus_vectors(papers)
    if args.embed_only:
        print(f"{len(vectors)} vectors cached")
        return 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
