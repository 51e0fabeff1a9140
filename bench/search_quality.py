"""Search quality on labelled data: lexical, dense and hybrid, with the production ranking code.

    .venv/bin/python bench/search_quality.py                 # SciFact + queries-dev
    .venv/bin/python bench/search_quality.py --only scifact  # or --only dev; --tune grid-searches

SciFact (BEIR test split, 300 claims over 5,183 abstracts): nDCG@10 and recall@100.
queries-dev (500 queries of 3 kinds, one target each): recall@10, hit@1 and MRR@10 per kind
over a fixed sample of the 71,728-paper corpus that contains the 200 targets (``--dev-sample``,
default 10,000 papers; the rest drawn with a fixed seed).

What runs is the site's own code: queries parsed by ``search.lexical.parse`` and sent to an
FTS5 table built like ``search_fts`` (porter unicode61, bm25 with the title weighted 10×);
vectors from ``search.embeddings`` (the shipped ONNX MiniLM); fusion by ``search.fusion``
(confidence-weighted). Naive reciprocal rank fusion is printed for comparison. Document
vectors are cached in ``$PAPERBOY_BENCH_CACHE`` (default /tmp/paperboy-bench-cache).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import os
import random
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from paperboy.search import fusion, lexical  # noqa: E402
from paperboy.search.embeddings import OnnxEmbedder, paper_text  # noqa: E402

DATA = Path(os.environ.get("PAPERBOY_BENCH_DATA", "/work/shared/data"))
CACHE = Path(os.environ.get("PAPERBOY_BENCH_CACHE", "/tmp/paperboy-bench-cache"))
POOL = 100
GRID_ROWS = [(f, w) for f in (0.0, 0.2, 0.3, 0.4) for w in (0.6, 0.7, 0.8, 0.9)]
GAMMAS = (0.5, 1.0, 2.0)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# --- the retrieval sides ----------------------------------------------------------------------


class Lexical:
    """An in-memory FTS5 index built like the site's ``search_fts``."""

    def __init__(self, docs: list[tuple[str, str]]):
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE fts USING fts5(title, abstract, "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        self.db.executemany(
            "INSERT INTO fts(rowid, title, abstract) VALUES (?, ?, ?)",
            [(i, t, a) for i, (t, a) in enumerate(docs)],
        )
        self.texts = [f"{t} {a}" for t, a in docs]

    def search(self, query: str, k: int = POOL) -> list[tuple[int, float]]:
        parsed = lexical.parse(query)
        if parsed.empty:
            return []
        rows = self.db.execute(
            f"SELECT rowid, -bm25(fts, {lexical.TITLE_WEIGHT}, 1.0) FROM fts WHERE fts MATCH ? "
            f"ORDER BY bm25(fts, {lexical.TITLE_WEIGHT}, 1.0) LIMIT ?",
            (lexical.fts5_query(parsed.terms), k),
        ).fetchall()
        return [(int(i), float(s)) for i, s in rows]


def dense_search(matrix: np.ndarray, query: np.ndarray, k: int = POOL) -> list[tuple[int, float]]:
    scores = matrix @ query
    top = np.argpartition(-scores, min(k, len(scores) - 1))[:k]
    top = top[np.argsort(-scores[top])]
    return [(int(i), float(scores[i])) for i in top]


def hybrid(
    lex, dense, terms, texts, *, w_max=fusion.W_MAX, gamma=fusion.GAMMA, floor=fusion.FLOOR
) -> list[int]:
    top_texts = [texts[i] for i, _ in lex[: fusion.COVERAGE_TOP]]
    confidence = fusion.lexical_confidence(terms, top_texts)
    weight = fusion.lexical_weight(confidence, w_max=w_max, gamma=gamma, floor=floor)
    return [f.paper_id for f in fusion.fuse(lex, dense, weight=weight)]


def rrf(lex, dense) -> list[int]:
    return [pk for pk, _ in fusion.rrf([lex, dense])]


def weighted_rrf(lex, dense, terms, texts) -> list[int]:
    """Reciprocal rank fusion with the same confidence weight as the production fusion."""
    top_texts = [texts[i] for i, _ in lex[: fusion.COVERAGE_TOP]]
    weight = fusion.lexical_weight(fusion.lexical_confidence(terms, top_texts))
    return [pk for pk, _ in fusion.rrf([lex, dense], weights=[weight, 1 - weight])]


# --- metrics ----------------------------------------------------------------------------------


def ndcg_at(ranked: list, relevant: dict, k: int = 10) -> float:
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list, relevant: dict, k: int) -> float:
    return len(set(ranked[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def mrr_at(ranked: list, target, k: int = 10) -> float:
    for i, d in enumerate(ranked[:k]):
        if d == target:
            return 1.0 / (i + 1)
    return 0.0


# --- embeddings, cached -----------------------------------------------------------------------


def embed_cached(name: str, texts: list[str], embedder: OnnxEmbedder) -> np.ndarray:
    key = hashlib.sha1(("\n".join(texts) + embedder.model_id).encode()).hexdigest()[:12]
    path = CACHE / f"{name}-{key}.npy"
    if path.exists():
        return np.load(path)
    CACHE.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    done = [0]

    def progress(n):
        done[0] += n
        if done[0] % 512 < n:
            rate = done[0] / (time.perf_counter() - started)
            print(f"  embedding {name}: {done[0]}/{len(texts)} ({rate:.1f}/s)", file=sys.stderr)

    matrix = embedder.embed_many(texts, batch_size=32, progress=progress)
    np.save(path, matrix)
    return matrix


# --- SciFact ----------------------------------------------------------------------------------


def scifact_corpus(sample: int = 0) -> list[dict]:
    """The SciFact corpus; with ``sample``, a fixed subset of that many abstracts that keeps
    every abstract judged relevant to a test claim (fewer distractors than the real
    benchmark: figures are higher, but lexical, dense and hybrid, or two truncations, still
    compare on equal terms; for when the full corpus cannot be embedded in time)."""
    root = DATA / "scifact"
    corpus = read_jsonl(root / "corpus.jsonl")
    if not sample or sample >= len(corpus):
        return corpus
    relevant = {
        parts[1]
        for line in (root / "qrels-test.tsv").read_text().splitlines()
        if len(parts := line.strip().split("\t")) == 3 and parts[0] != "query-id"
    }
    others = [d for d in corpus if d["_id"] not in relevant]
    keep = relevant | {
        d["_id"] for d in random.Random(20260101).sample(others, sample - len(relevant))
    }
    return [d for d in corpus if d["_id"] in keep]


def scifact(embedder: OnnxEmbedder, *, tune: bool, sample: int = 0) -> None:
    root = DATA / "scifact"
    corpus = scifact_corpus(sample)
    queries = {q["_id"]: q["text"] for q in read_jsonl(root / "queries.jsonl")}
    qrels: dict[str, dict[int, int]] = defaultdict(dict)
    index = {d["_id"]: i for i, d in enumerate(corpus)}
    for line in (root / "qrels-test.tsv").read_text().splitlines():
        parts = line.strip().split("\t")
        if len(parts) == 3 and parts[0] != "query-id" and parts[1] in index:
            qrels[parts[0]][index[parts[1]]] = int(parts[2])
    docs = [(d["title"], d["text"]) for d in corpus]
    lex = Lexical(docs)
    name = f"scifact{len(docs)}" if sample else "scifact"
    matrix = embed_cached(name, [paper_text(t, a) for t, a in docs], embedder)
    qids = [q for q in qrels if q in queries]
    qvecs = embedder.embed_many([queries[q] for q in qids])
    runs = []
    for qid, qvec in zip(qids, qvecs, strict=True):
        lexical_hits = lex.search(queries[qid])
        dense_hits = dense_search(matrix, qvec)
        runs.append((qid, lexical_hits, dense_hits, lexical.parse(queries[qid]).terms))

    def score(rank_fn):
        ndcg = recall = 0.0
        for qid, lx, dn, terms in runs:
            ranked = rank_fn(lx, dn, terms)
            ndcg += ndcg_at(ranked, qrels[qid])
            recall += recall_at(ranked, qrels[qid], 100)
        return ndcg / len(runs), recall / len(runs)

    subset = " (a fixed subset with every relevant abstract)" if sample else ""
    print(
        f"\nSciFact test: {len(runs)} queries, {len(docs)} abstracts{subset} ({embedder.model_id})"
    )
    print(f"{'method':<34}{'nDCG@10':>9}{'R@100':>8}")
    rows = {
        "lexical (FTS5 bm25)": lambda lx, dn, t: [i for i, _ in lx],
        "dense (MiniLM int8 ONNX)": lambda lx, dn, t: [i for i, _ in dn],
        "naive RRF (k=60)": lambda lx, dn, t: rrf(lx, dn),
        "confidence-weighted RRF": lambda lx, dn, t: weighted_rrf(lx, dn, t, lex.texts),
        "hybrid (confidence-weighted)": lambda lx, dn, t: hybrid(lx, dn, t, lex.texts),
    }
    for name, fn in rows.items():
        ndcg, recall = score(fn)
        print(f"{name:<34}{ndcg:>9.3f}{recall:>8.3f}")
    if tune:
        print("grid (floor, w_max, gamma) -> nDCG@10")
        for floor, w_max in GRID_ROWS:
            cells = []
            for gamma in GAMMAS:
                n, _ = score(
                    lambda lx, dn, t, w=w_max, g=gamma, f=floor: hybrid(
                        lx, dn, t, lex.texts, w_max=w, gamma=g, floor=f
                    )
                )
                cells.append(f"g={gamma}:{n:.3f}")
            print(f"  floor={floor} w_max={w_max}: " + "  ".join(cells))


# --- queries-dev ------------------------------------------------------------------------------


def lead(title: str, abstract: str, sentences: int = 2) -> str:
    """Title + the first sentences: ~4× cheaper to embed than the whole abstract."""
    parts = abstract.replace("\n", " ").split(". ")
    return paper_text(title, ". ".join(parts[:sentences]))


def dev_corpus(sample: int) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """The labelled queries and a fixed sample of (id, title, abstract) that holds every target."""
    queries = read_jsonl(DATA / "queries-dev" / "queries.jsonl")
    targets = {q["id"] for q in queries}
    papers = []
    with gzip.open(DATA / "arxiv-cs.jsonl.gz", "rt") as f:
        for line in f:
            p = json.loads(line)
            papers.append((p["id"], p["title"], p["abstract"]))
    rng = random.Random(20260101)
    others = [p for p in papers if p[0] not in targets]
    chosen = [p for p in papers if p[0] in targets] + rng.sample(
        others, max(0, sample - len(targets))
    )
    chosen.sort()
    return queries, chosen


def dev(embedder: OnnxEmbedder, *, sample: int, tune: bool, text: str = "full") -> None:
    queries, chosen = dev_corpus(sample)
    targets = {q["id"] for q in queries}
    ids = [p[0] for p in chosen]
    position = {pid: i for i, pid in enumerate(ids)}
    docs = [(t, a) for _, t, a in chosen]
    lex = Lexical(docs)
    make = paper_text if text == "full" else lead
    matrix = embed_cached(f"dev{len(docs)}-{text}", [make(t, a) for t, a in docs], embedder)
    qvecs = embedder.embed_many([q["query"] for q in queries])
    runs = []
    for q, qvec in zip(queries, qvecs, strict=True):
        runs.append(
            (
                q["kind"],
                position[q["id"]],
                lex.search(q["query"]),
                dense_search(matrix, qvec),
                lexical.parse(q["query"]).terms,
            )
        )

    def score(rank_fn):
        per_kind = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
        for kind, target, lx, dn, terms in runs:
            ranked = rank_fn(lx, dn, terms)
            row = per_kind[kind]
            row[0] += 1
            row[1] += target in ranked[:10]
            row[2] += ranked[:1] == [target]
            row[3] += mrr_at(ranked, target)
        return {k: (v[1] / v[0], v[2] / v[0], v[3] / v[0]) for k, v in per_kind.items()}

    print(
        f"\nqueries-dev: {len(runs)} queries over a fixed sample of {len(docs)} papers "
        f"(incl. the {len(targets)} targets; {embedder.model_id}; dense side embeds the "
        f"{'whole abstract' if text == 'full' else 'title + first 2 sentences'})"
    )
    kinds = ["keyword", "paraphrase", "lay"]
    print(f"{'method':<32}" + "".join(f"{k + ' R@10/H@1/MRR':>28}" for k in kinds))
    rows = {
        "lexical (FTS5 bm25)": lambda lx, dn, t: [i for i, _ in lx],
        "dense (MiniLM)": lambda lx, dn, t: [i for i, _ in dn],
        "naive RRF (k=60)": lambda lx, dn, t: rrf(lx, dn),
        "confidence-weighted RRF": lambda lx, dn, t: weighted_rrf(lx, dn, t, lex.texts),
        "hybrid (confidence-weighted)": lambda lx, dn, t: hybrid(lx, dn, t, lex.texts),
    }
    for name, fn in rows.items():
        result = score(fn)
        print(
            f"{name:<32}"
            + "".join(
                f"{' / '.join(f'{x:.3f}' for x in result.get(k, (0, 0, 0))):>28}" for k in kinds
            )
        )
    if tune:
        print("grid (floor, w_max, gamma) -> recall@10 keyword / paraphrase / lay")
        for floor, w_max in GRID_ROWS:
            cells = []
            for gamma in GAMMAS:
                r = score(
                    lambda lx, dn, t, w=w_max, g=gamma, f=floor: hybrid(
                        lx, dn, t, lex.texts, w_max=w, gamma=g, floor=f
                    )
                )
                cells.append(f"g={gamma}:" + "/".join(f"{r[k][0]:.3f}" for k in kinds))
            print(f"  floor={floor} w_max={w_max}: " + "  ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["scifact", "dev"], default=None)
    parser.add_argument(
        "--scifact-sample",
        type=int,
        default=0,
        help="score SciFact over a fixed subset of this many abstracts (all relevant ones "
        "kept) instead of all 5,183: much less to embed on a busy machine",
    )
    parser.add_argument("--dev-sample", type=int, default=10_000)
    parser.add_argument(
        "--dev-text",
        choices=["full", "lead"],
        default="full",
        help="what the dense side embeds for the dev sample: the whole abstract, or the "
        "title + first 2 sentences (faster to embed; the lexical side always has everything)",
    )
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="onnxruntime threads (0: its default; 1 wastes less on a busy shared machine)",
    )
    parser.add_argument("--tune", action="store_true", help="print a grid of fusion parameters")
    args = parser.parse_args()
    embedder = OnnxEmbedder(max_tokens=args.max_tokens, threads=args.threads)
    print(f"load: {os.getloadavg()[0]:.2f} (2 cores, shared)")
    if args.only in (None, "scifact"):
        scifact(embedder, tune=args.tune, sample=args.scifact_sample)
    if args.only in (None, "dev"):
        dev(embedder, sample=args.dev_sample, tune=args.tune, text=args.dev_text)


if __name__ == "__main__":
    main()
