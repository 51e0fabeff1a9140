"""Search quality on labelled data: lexical, dense and hybrid, with the production ranking code.

    .venv/bin/python bench/search_quality.py                 # SciFact + queries-dev
    .venv/bin/python bench/search_quality.py --only scifact  # or --only dev
    .venv/bin/python bench/search_quality.py --only dev --tune  # fit fusion.PARAMS on all folds

SciFact (BEIR test split, 300 claims over 5,183 abstracts): nDCG@10 and recall@100.
queries-dev (500 queries of 3 kinds, one target each): recall@10, hit@1 and MRR@10 per kind
over a fixed sample of the 71,728-paper corpus that contains the 200 targets (``--dev-sample``,
default 10,000 papers; the rest drawn with a fixed seed).

What runs is the site's own code: queries parsed by ``search.lexical.parse`` and sent to an
FTS5 table built like ``search_fts`` (porter unicode61, bm25 with the title weighted 10×);
vectors from ``search.embeddings`` (the shipped ONNX MiniLM); fusion by ``search.fusion``
(weights read from query-time signals). BM25 alone, dense alone and naive reciprocal rank
fusion are computed in the same run for comparison. Document vectors are cached in
``$PAPERBOY_BENCH_CACHE`` (default /tmp/paperboy-bench-cache).

Honest figures on queries-dev: the queries are split into ``FOLDS`` folds by target paper (all
the queries about one paper in one fold); the fusion's five numbers are fitted on four folds
and scored on the fifth, in turn, and the held-out scores are pooled ("fusion, held-out").
The fit is a coordinate search over a grid that maximises, summed over the three kinds,
R@10 plus hit@1 (keyword) or MRR@10 (paraphrase, lay), a point below the better of BM25 and
dense (on the fitting folds) counting ``SHORTFALL`` times. ``--tune`` fits on every fold and
prints the numbers to put in ``fusion.PARAMS``; "fusion (PARAMS)" scores those in-sample.
SciFact is never tuned on: it is held out as a whole.
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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from paperboy.search import fusion, lexical  # noqa: E402
from paperboy.search.embeddings import OnnxEmbedder, paper_text  # noqa: E402

DATA = Path(os.environ.get("PAPERBOY_BENCH_DATA", "/work/shared/data"))
CACHE = Path(os.environ.get("PAPERBOY_BENCH_CACHE", "/tmp/paperboy-bench-cache"))
POOL = 100
FOLDS = 5
GRID = {
    "bias": [x / 2 for x in range(-16, 9)],
    "coverage": [float(x) for x in range(0, 21)],
    "terms": [float(x) for x in range(-8, 9)],
    "stop_share": [float(x) for x in range(-8, 9)],
    "agreement": [float(x) for x in range(-8, 9)],
    "dense_coverage": [float(x) for x in range(-12, 9)],
}


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


def query_signals(text, terms, lex, dense, texts) -> fusion.Signals:
    top_texts = [texts[i] for i, _ in lex[: fusion.COVERAGE_TOP]]
    dense_texts = [texts[i] for i, _ in dense[: fusion.COVERAGE_TOP]]
    return fusion.signals(
        text, list(terms), top_texts, [i for i, _ in lex], [i for i, _ in dense], dense_texts
    )


def hybrid(lex, dense, sig: fusion.Signals, params: fusion.Params = fusion.PARAMS) -> list[int]:
    weight = fusion.lexical_weight(sig, params)
    return [f.paper_id for f in fusion.fuse(lex, dense, weight=weight)]


def previous_hybrid(lex, dense, sig: fusion.Signals) -> list[int]:
    """The fusion before issue 18, for comparison: coverage alone, floor 0.2, w_max 0.9,
    square root (tuned in-sample on all of queries-dev)."""
    c = max(0.0, min(1.0, sig.coverage))
    weight = 0.0 if c <= 0.2 else 0.9 * ((c - 0.2) / 0.8) ** 0.5
    return [f.paper_id for f in fusion.fuse(lex, dense, weight=weight)]


def rrf(lex, dense) -> list[int]:
    return [pk for pk, _ in fusion.rrf([lex, dense])]


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


def scifact(embedder: OnnxEmbedder, *, sample: int = 0) -> None:
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
    qvecs = embed_cached("scifact-queries", [queries[q] for q in qids], embedder)
    runs = []
    for qid, qvec in zip(qids, qvecs, strict=True):
        lx = lex.search(queries[qid])
        dn = dense_search(matrix, qvec)
        terms = lexical.parse(queries[qid]).terms
        runs.append((qid, lx, dn, query_signals(queries[qid], terms, lx, dn, lex.texts)))

    def score(rank_fn):
        ndcg = recall = 0.0
        for qid, lx, dn, sig in runs:
            ranked = rank_fn(lx, dn, sig)
            ndcg += ndcg_at(ranked, qrels[qid])
            recall += recall_at(ranked, qrels[qid], 100)
        return ndcg / len(runs), recall / len(runs)

    subset = " (a fixed subset with every relevant abstract)" if sample else ""
    print(
        f"\nSciFact test (never tuned on): {len(runs)} queries, {len(docs)} abstracts{subset} "
        f"({embedder.model_id})"
    )
    print(f"{'method':<34}{'nDCG@10':>9}{'R@100':>8}")
    rows = {
        "lexical (FTS5 bm25)": lambda lx, dn, sig: [i for i, _ in lx],
        "dense": lambda lx, dn, sig: [i for i, _ in dn],
        "naive RRF (k=60)": lambda lx, dn, sig: rrf(lx, dn),
        "previous fusion (coverage only)": previous_hybrid,
        "fusion (PARAMS)": hybrid,
    }
    for name, fn in rows.items():
        ndcg, recall = score(fn)
        print(f"{name:<34}{ndcg:>9.3f}{recall:>8.3f}")


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


KINDS = ["keyword", "paraphrase", "lay"]


@dataclass
class Case:
    """One labelled query, its candidates as the fusion sees them, and its fold."""

    kind: str
    fold: int
    target: int
    lx: list
    dn: list
    sig: fusion.Signals
    qvec: np.ndarray | None = None
    lex_norm: np.ndarray = field(init=False)
    dense_norm: np.ndarray = field(init=False)
    ids: np.ndarray = field(init=False)
    at: int = field(init=False)  # the target's place in ``ids``, -1 when neither side has it

    def __post_init__(self):
        ln, dn = fusion._max_normalised(self.lx), fusion._range_normalised(self.dn)
        ids = list(dict.fromkeys([pk for pk, _ in self.lx] + [pk for pk, _ in self.dn]))
        self.ids = np.array(ids, dtype=np.int64)
        self.lex_norm = np.array([ln.get(pk, 0.0) for pk in ids])
        self.dense_norm = np.array([dn.get(pk, 0.0) for pk in ids])
        self.at = ids.index(self.target) if self.target in ids else -1

    def rank(self, weight: float) -> int | None:
        """The target's 0-based place in ``fusion.fuse``'s order with this weight (its sort:
        score, then dense contribution, then id), or None when it is not a candidate."""
        if self.at < 0:
            return None
        d = (1 - weight) * self.dense_norm
        score = weight * self.lex_norm + d
        t = self.at
        ahead = (score > score[t]) | (
            (score == score[t]) & ((d > d[t]) | ((d == d[t]) & (self.ids < self.ids[t])))
        )
        return int(ahead.sum())


def metrics_of(ranks: list[tuple[str, int | None]]) -> dict[str, tuple[float, float, float]]:
    """R@10, hit@1 and MRR@10 per kind from (kind, 0-based rank of the target or None)."""
    rows = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    for kind, r in ranks:
        row = rows[kind]
        row[0] += 1
        if r is not None and r < 10:
            row[1] += 1
            row[2] += r == 0
            row[3] += 1 / (r + 1)
    return {k: (v[1] / v[0], v[2] / v[0], v[3] / v[0]) for k, v in rows.items()}


# The two figures per kind the fusion answers for: (index in metrics_of's triple, name).
GOALS = {"keyword": ((0, "R@10"), (1, "hit@1")), "paraphrase": ((0, "R@10"), (2, "MRR@10"))}
GOALS["lay"] = GOALS["paraphrase"]
SHORTFALL = 3.0  # how much more a point below the better part costs than a point gained


class Batch:
    """Cases as padded matrices, so that one weight per case ranks them all at once."""

    def __init__(self, cases: list[Case]):
        self.cases = cases
        width = max(len(c.ids) for c in cases)
        n = len(cases)
        self.lex = np.zeros((n, width))
        self.dense = np.zeros((n, width))
        self.ids = np.full((n, width), np.iinfo(np.int64).max, dtype=np.int64)
        self.valid = np.zeros((n, width), dtype=bool)
        for i, c in enumerate(cases):
            k = len(c.ids)
            self.lex[i, :k], self.dense[i, :k], self.ids[i, :k] = c.lex_norm, c.dense_norm, c.ids
            self.valid[i, :k] = True
        self.at = np.array([max(c.at, 0) for c in cases])
        self.found = np.array([c.at >= 0 for c in cases])
        self.kinds = [c.kind for c in cases]
        self.features = np.array(
            [
                [
                    1.0,
                    max(0.0, min(1.0, c.sig.coverage)),
                    min(c.sig.terms, 12) / 12,
                    c.sig.stop_share,
                    c.sig.agreement,
                    c.sig.dense_coverage,
                ]
                for c in cases
            ]
        )

    def ranks(self, params: fusion.Params) -> list[tuple[str, int | None]]:
        theta = np.array([getattr(params, k) for k in GRID])
        w = np.maximum(0.0, np.tanh(self.features @ theta))[:, None]
        d = (1 - w) * self.dense
        score = w * self.lex + d
        rows = np.arange(len(self.cases))
        ts, td, tid = (m[rows, self.at][:, None] for m in (score, d, self.ids))
        ahead = self.valid & (
            (score > ts) | ((score == ts) & ((d > td) | ((d == td) & (self.ids < tid))))
        )
        r = ahead.sum(axis=1)
        return [
            (k, int(x) if f else None) for k, x, f in zip(self.kinds, r, self.found, strict=True)
        ]


def objective(batch: Batch, params: fusion.Params, parts: dict | None = None) -> float:
    """Summed over kinds: R@10 plus hit@1 (keyword) or MRR@10 (paraphrase, lay); with
    ``parts`` (the better of BM25 and dense per kind and figure, on the same queries), each
    point below that costs ``SHORTFALL`` times more."""
    m = metrics_of(batch.ranks(params))
    total = 0.0
    for kind, goals in GOALS.items():
        for i, _ in goals:
            value = m.get(kind, (0.0, 0.0, 0.0))[i]
            total += value
            if parts:
                total -= SHORTFALL * max(0.0, parts[kind][i] - value)
    return total


def best_parts(cases: list[Case]) -> dict:
    lexical_only = metrics_of([(c.kind, _place(c.target, c.lx)) for c in cases])
    dense_only = metrics_of([(c.kind, _place(c.target, c.dn)) for c in cases])
    return {
        k: tuple(max(lexical_only[k][i], dense_only[k][i]) for i in range(3)) for k in lexical_only
    }


def _place(target: int, pairs: list) -> int | None:
    ids = [i for i, _ in pairs]
    return ids.index(target) if target in ids else None


def fit(cases: list[Case], starts: int = 8) -> fusion.Params:
    """Coordinate search over ``GRID`` from ``fusion.PARAMS`` and ``starts`` random grid
    points (fixed seed): each number in turn takes its best grid value (the nearest to the
    current one among equals) until a round changes nothing; the best end point wins."""
    parts = best_parts(cases)
    batch = Batch(cases)
    rng = random.Random(18)
    origins = [{k: getattr(fusion.PARAMS, k) for k in GRID}] + [
        {k: rng.choice(v) for k, v in GRID.items()} for _ in range(starts)
    ]
    found = []
    for current in origins:
        best = objective(batch, fusion.Params(**current), parts)
        for _ in range(6):
            changed = False
            for name, values in GRID.items():
                scored = []
                for v in values:
                    trial = fusion.Params(**{**current, name: v})
                    scored.append((objective(batch, trial, parts), -abs(v - current[name]), v))
                top = max(scored)
                if top[0] > best + 1e-9:
                    best, current[name], changed = top[0], top[2], True
            if not changed:
                break
        found.append((best, fusion.Params(**current)))
    return max(found, key=lambda pair: pair[0])[1]


def fold_of(paper_id: str) -> int:
    return int(hashlib.sha1(paper_id.encode()).hexdigest(), 16) % FOLDS


def dev(embedder: OnnxEmbedder, *, sample: int, tune: bool, text: str = "full") -> None:
    queries, chosen = dev_corpus(sample)
    targets = {q["id"] for q in queries}
    ids = [p[0] for p in chosen]
    position = {pid: i for i, pid in enumerate(ids)}
    docs = [(t, a) for _, t, a in chosen]
    lex = Lexical(docs)
    make = paper_text if text == "full" else lead
    matrix = embed_cached(f"dev{len(docs)}-{text}", [make(t, a) for t, a in docs], embedder)
    qvecs = embed_cached("dev-queries", [q["query"] for q in queries], embedder)
    cases = []
    for q, qvec in zip(queries, qvecs, strict=True):
        lx, dn = lex.search(q["query"]), dense_search(matrix, qvec)
        terms = lexical.parse(q["query"]).terms
        sig = query_signals(q["query"], terms, lx, dn, lex.texts)
        cases.append(Case(q["kind"], fold_of(q["id"]), position[q["id"]], lx, dn, sig, qvec))
    batch_ranks = Batch(cases[:40]).ranks(fusion.PARAMS)
    for c, (_, fast) in zip(cases[:40], batch_ranks, strict=True):
        # The fast scorers rank exactly as fusion.fuse does.
        ranked = hybrid(c.lx, c.dn, c.sig)
        r = c.rank(fusion.lexical_weight(c.sig))
        assert r == fast == (ranked.index(c.target) if c.target in ranked else None), (r, fast)

    def ranks_by(rank_fn):
        out = []
        for c in cases:
            ranked = rank_fn(c.lx, c.dn, c.sig)
            out.append((c.kind, ranked.index(c.target) if c.target in ranked else None))
        return out

    held_out, fitted = [], []
    for f in range(FOLDS):
        params = fit([c for c in cases if c.fold != f])
        fitted.append(params)
        held_out += Batch([c for c in cases if c.fold == f]).ranks(params)

    print(
        f"\nqueries-dev: {len(cases)} queries over a fixed sample of {len(docs)} papers "
        f"(incl. the {len(targets)} targets; {embedder.model_id}; dense side embeds the "
        f"{'whole abstract' if text == 'full' else 'title + first 2 sentences'}); "
        f"{FOLDS} folds by target paper"
    )
    print(f"{'method':<34}" + "".join(f"{k + ' R@10/H@1/MRR':>27}" for k in KINDS))
    rows = {
        "lexical (FTS5 bm25)": metrics_of(ranks_by(lambda lx, dn, sig: [i for i, _ in lx])),
        "dense": metrics_of(ranks_by(lambda lx, dn, sig: [i for i, _ in dn])),
        "naive RRF (k=60)": metrics_of(ranks_by(lambda lx, dn, sig: rrf(lx, dn))),
        "previous fusion (in-sample)": metrics_of(ranks_by(previous_hybrid)),
        "fusion (PARAMS, in-sample)": metrics_of(ranks_by(hybrid)),
        "fusion, held-out (5-fold CV)": metrics_of(held_out),
    }
    for name, result in rows.items():
        print(
            f"{name:<34}"
            + "".join(
                f"{' / '.join(f'{x:.3f}' for x in result.get(k, (0, 0, 0))):>27}" for k in KINDS
            )
        )
    cv, parts = rows["fusion, held-out (5-fold CV)"], (rows["lexical (FTS5 bm25)"], rows["dense"])
    for k in KINDS:
        worse = [name for i, name in GOALS[k] if cv[k][i] + 1e-9 < max(p[k][i] for p in parts)]
        verdict = "below its best part on " + ", ".join(worse) if worse else "never below"
        print(f"  held-out fusion vs the better of BM25 and dense, {k}: {verdict}")
    print("  fitted per fold: " + "; ".join(_params_text(p) for p in fitted))
    floor_report(cases, lex, matrix, embedder)
    if tune:
        print(f"fitted on all folds (fusion.PARAMS): {_params_text(fit(cases))}")


NO_MATCH = ["qwxzvplorknik", "the", "asdf", "zzzz", "of the and", "xkcd", "lorem ipsum dolor"]


def floor_report(cases: list[Case], lex: Lexical, matrix: np.ndarray, embedder) -> None:
    """What the relevance floor (``fusion.close_matches``, cosine ``DENSE_CLOSE``) costs:
    the share of targets per kind it drops from the fused list, the targets' cosines, and how
    many close matches queries that match nothing get."""
    dropped = defaultdict(list)
    for c in cases:
        weight = fusion.lexical_weight(c.sig)
        fused = fusion.fuse(c.lx, c.dn, weight=weight)
        kept = fusion.close_matches(fused, c.dn, [i for i, _ in c.lx], words_count=weight > 0)
        before = [f.paper_id for f in fused][:10]
        after = [f.paper_id for f in kept][:10]
        dropped[c.kind].append((c.target in before) and (c.target not in after))
    cos = {k: [] for k in KINDS}
    spread = {k: [] for k in KINDS}
    for c in cases:
        cos[c.kind].append(float(matrix[c.target] @ c.qvec))
        spread[c.kind].append(c.dn[0][1] - c.dn[-1][1])
    print(f"  floor (cosine {fusion.DENSE_CLOSE}):")
    for k in KINDS:
        q = np.percentile(cos[k], [5, 25, 50])
        sp = np.percentile(spread[k], [1, 5, 25])
        print(
            f"    {k}: targets dropped from the top 10 {np.mean(dropped[k]):.3f}; target "
            f"cosine p5/p25/p50 {q[0]:.2f}/{q[1]:.2f}/{q[2]:.2f}; spread of the dense list "
            f"p1/p5/p25 {sp[0]:.2f}/{sp[1]:.2f}/{sp[2]:.2f}"
        )
    for text, vec in zip(NO_MATCH, embedder.embed_many(NO_MATCH), strict=True):
        dn = dense_search(matrix, vec)
        parsed = lexical.parse(text)
        lx = lex.search(text)
        sig = query_signals(text, parsed.terms, lx, dn, lex.texts)
        weight = fusion.lexical_weight(sig)
        fused = fusion.fuse(lx, dn, weight=weight)
        words_count = weight > 0 and not parsed.only_stopwords
        kept = fusion.close_matches(fused, dn, [i for i, _ in lx], words_count=words_count)
        print(
            f"    {text!r}: {len(kept)} close matches (best cosine {dn[0][1]:.2f}, "
            f"spread {dn[0][1] - dn[-1][1]:.2f})"
        )


def _params_text(p: fusion.Params) -> str:
    return ", ".join(f"{k}={getattr(p, k):g}" for k in GRID)


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
    parser.add_argument(
        "--tune", action="store_true", help="fit fusion.PARAMS on every fold and print them"
    )
    args = parser.parse_args()
    embedder = OnnxEmbedder(max_tokens=args.max_tokens, threads=args.threads)
    print(f"load: {os.getloadavg()[0]:.2f} (2 cores, shared)")
    if args.only in (None, "scifact"):
        scifact(embedder, sample=args.scifact_sample)
    if args.only in (None, "dev"):
        dev(embedder, sample=args.dev_sample, tune=args.tune, text=args.dev_text)


if __name__ == "__main__":
    main()
