"""Summaries and keyphrases on labelled data: the local method against baselines, one command.

    nice -n 10 .venv/bin/python bench/ai_extras.py            # figures on the held-out halves
    nice -n 10 .venv/bin/python bench/ai_extras.py --tune     # grid-search on the tuning halves
    nice -n 10 .venv/bin/python bench/ai_extras.py --llm      # also the configured LLM (TL;DR)

Data: ``$PAPERBOY_BENCH_DATA/summaries`` (default /work/shared/data; see its README).
Each set is split in two halves by a hash of the document id (``half()``): the method's weights
were chosen on the "tune" half (``--tune``); every figure printed without ``--tune`` is on the
"report" half, which tuning never saw.

- Keyphrases (Inspec validation, SemEval-2017 dev): F1@5 and F1@10, a predicted phrase matching
  a gold one after lower-casing and Porter stemming of each word (nltk), macro-averaged over
  documents, all gold keys counted. Baselines in the same run: YAKE (the ``yake`` package, n=3,
  its defaults), TextRank as the ``summa`` package (1.2.0) implements it when it is installed,
  and TextRank (Mihalcea & Tarau 2004) implemented below: words filtered by a stopword
  list instead of a part-of-speech tagger (nltk's tagger data cannot be downloaded here), a
  co-occurrence window of 2, PageRank (networkx, d=0.85), the top third of words kept, adjacent
  kept words merged into phrases scored by the sum of their words' scores (as pke does).
- TL;DR (SciTLDR-A dev): ROUGE-1/2/L F (``rouge-score``, stemming on), the maximum over the
  gold TL;DRs, averaged; beside the first sentence of the abstract and the title.
- Speed: the site's batch path (``summaries.local.summarize_batch``) over every document with
  its paper vector present, cold (the word-piece vectors computed on the way) and warm; papers/s
  and peak RSS. Paper vectors are cached in ``$PAPERBOY_BENCH_CACHE``.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import re
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from paperboy.search.embeddings import OnnxEmbedder, paper_text, text_hash  # noqa: E402
from paperboy.summaries import local  # noqa: E402

DATA = Path(os.environ.get("PAPERBOY_BENCH_DATA", "/work/shared/data")) / "summaries"
CACHE = Path(os.environ.get("PAPERBOY_BENCH_CACHE", "/tmp/paperboy-bench-cache"))


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def half(doc_id: str) -> str:
    return "tune" if hashlib.sha1(doc_id.encode()).digest()[0] % 2 == 0 else "report"


def paper_vectors(embedder: OnnxEmbedder, docs: list[dict]) -> np.ndarray:
    """The paper embedding the site stores (title + abstract), cached by text hash."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"ai_extras_vectors_{text_hash(embedder.model_id)}.npz"
    cached: dict[str, np.ndarray] = dict(np.load(path)) if path.exists() else {}
    texts = [paper_text(d["title"], d["abstract"]) for d in docs]
    keys = [text_hash(t) for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in cached}.items())
    if missing:
        print(f"embedding {len(missing)} papers (cached in {path})", file=sys.stderr)
        matrix = embedder.embed_many([t for _, t in missing], batch_size=32)
        cached.update({k: v for (k, _), v in zip(missing, matrix, strict=True)})
        np.savez(path, **cached)
    return np.stack([cached[k] for k in keys])


# --- keyphrase scoring and baselines ------------------------------------------------------

_stemmer = None


def stemmed(phrase: str) -> str:
    global _stemmer
    if _stemmer is None:
        from nltk.stem import PorterStemmer

        _stemmer = PorterStemmer()
    return " ".join(_stemmer.stem(w) for w in re.findall(r"[\w]+", phrase.lower()))


def f1_at(predicted: list[str], gold: list[str], k: int) -> float:
    gold_set = {stemmed(g) for g in gold} - {""}
    top = []
    for p in predicted:
        s = stemmed(p)
        if s and s not in top:
            top.append(s)
    top = top[:k]
    if not gold_set or not top:
        return 0.0
    hits = sum(p in gold_set for p in top)
    if not hits:
        return 0.0
    precision, recall = hits / len(top), hits / len(gold_set)
    return 2 * precision * recall / (precision + recall)


def yake_keyphrases(docs: list[dict]) -> list[list[str]]:
    import yake

    extractor = yake.KeywordExtractor(lan="en", n=3, top=10)
    out = []
    for d in docs:
        text = f"{d['title']}. {d['abstract']}" if d["title"] else d["abstract"]
        out.append([kw for kw, _ in extractor.extract_keywords(text)])
    return out


def textrank_keyphrases(docs: list[dict], *, window: int = 2) -> list[list[str]]:
    import networkx as nx

    out = []
    for d in docs:
        text = f"{d['title']}. {d['abstract']}" if d["title"] else d["abstract"]
        toks = [t.lower() for t in local.tokens(text)]
        keep = [t[0].isalpha() and t not in local.STOPWORDS and len(t) > 1 for t in toks]
        seq = [t for t, k in zip(toks, keep, strict=True) if k]
        graph = nx.Graph()
        graph.add_nodes_from(seq)
        for i, word in enumerate(seq):
            for other in seq[i + 1 : i + window]:
                if other != word:
                    graph.add_edge(word, other)
        if not graph:
            out.append([])
            continue
        scores = nx.pagerank(graph, alpha=0.85)
        top = set(sorted(scores, key=scores.get, reverse=True)[: max(1, len(scores) // 3)])
        phrases: dict[str, float] = {}
        run: list[str] = []
        for t, k in itertools.chain(zip(toks, keep, strict=True), [("", False)]):
            if k and t in top:
                run.append(t)
                continue
            if run:
                phrase = " ".join(run)
                phrases[phrase] = sum(scores[w] for w in run)
                run = []
        out.append(sorted(phrases, key=phrases.get, reverse=True)[:10])
    return out


def summa_keyphrases(docs: list[dict]) -> list[list[str]]:
    """TextRank as the ``summa`` package (1.2.0) implements it: its keyword extraction with
    its own stopwords and lemma-free word graph, top 10 phrases."""
    from summa import keywords

    out = []
    for d in docs:
        text = f"{d['title']}. {d['abstract']}" if d["title"] else d["abstract"]
        try:
            found = keywords.keywords(text, split=True, scores=True)
        except (IndexError, ValueError, ZeroDivisionError):
            found = []  # summa fails on texts with too few words
        out.append([kw for kw, _ in found[:10]])
    return out


def have_summa() -> bool:
    try:
        import summa  # noqa: F401
    except ImportError:
        return False
    return True


def keyphrase_scores(predictions: list[list[str]], docs: list[dict]) -> tuple[float, float]:
    f5 = np.mean([f1_at(p, d["keyphrases"], 5) for p, d in zip(predictions, docs, strict=True)])
    f10 = np.mean([f1_at(p, d["keyphrases"], 10) for p, d in zip(predictions, docs, strict=True)])
    return 100 * float(f5), 100 * float(f10)


# --- TL;DR scoring ------------------------------------------------------------------------

_scorer = None


def rouge(predictions: list[str], docs: list[dict]) -> tuple[float, float, float]:
    global _scorer
    if _scorer is None:
        from rouge_score import rouge_scorer

        _scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    totals = np.zeros(3)
    for prediction, d in zip(predictions, docs, strict=True):
        best = np.zeros(3)
        for gold in d["tldrs"]:
            s = _scorer.score(gold, prediction or "")
            best = np.maximum(
                best, [s["rouge1"].fmeasure, s["rouge2"].fmeasure, s["rougeL"].fmeasure]
            )
        totals += best
    return tuple(100 * totals / max(1, len(docs)))


def first_sentence(abstract: str) -> str:
    found = local.sentences(" ".join(abstract.split()))
    return found[0] if found else ""


# --- runs ---------------------------------------------------------------------------------


def run_local(docs, vecs, token_vectors, **weights) -> list[local.Extras]:
    papers = [(d["title"], d["abstract"], v) for d, v in zip(docs, vecs, strict=True)]
    out: list[local.Extras] = []
    for start in range(0, len(papers), 64):
        out += local.summarize_batch(papers[start : start + 64], token_vectors, **weights)
    return out


def tune(kp_docs, kp_vecs, tl_docs, tl_vecs, tv) -> None:
    """Grid-search the weights on the tuning halves (each document prepared once)."""
    kp = local.prepare_batch(
        [(d["title"], d["abstract"], v) for d, v in zip(kp_docs, kp_vecs, strict=True)], tv
    )
    tp = local.prepare_batch(
        [(d["title"], d["abstract"], v) for d, v in zip(tl_docs, tl_vecs, strict=True)], tv
    )
    sets = [
        [i for i, d in enumerate(kp_docs) if d["id"].startswith(prefix)]
        for prefix in ("inspec", "semeval")
    ]
    best = (-1.0, local.KEYPHRASE_WEIGHTS)
    grid = itertools.product(
        (0.1, 0.2),
        (0.15, 0.3),
        (0.15, 0.3),
        (0.05, 0.1),
        (0.0, 0.3),
        (0.1, 0.2),
        (0.3, 0.6),
    )
    for freq, pos, title, length, div, whole, overlap in grid:
        w = local.KeyphraseWeights(1.0, freq, pos, title, length, div, whole, overlap)
        preds = [local.score(p, tv, keyphrase_weights=w, max_keywords=10).keywords for p in kp]
        f5s = [
            keyphrase_scores([preds[i] for i in idx], [kp_docs[i] for i in idx])[0] for idx in sets
        ]
        # The goal is per set: the geometric mean keeps one set from carrying the other.
        objective = float(np.sqrt(f5s[0] * f5s[1]))
        if objective > best[0]:
            best = (objective, w)
            print(f"  keyphrases F1@5 Inspec {f5s[0]:.1f} SemEval {f5s[1]:.1f} {w}", flush=True)
    print("best keyphrase weights:", best[1])
    best_s = (-1.0, local.SENTENCE_WEIGHTS)
    for title, document, position, cue, short, title_words in itertools.product(
        (0.5, 1.0, 1.5), (0.5, 1.0), (0.0, 0.1), (0.0, 0.15, 0.3), (0.1, 0.3), (0.0, 0.3, 0.6)
    ):
        w = local.SentenceWeights(title, document, position, cue, short, title_words)
        preds = [local.score(p, tv, sentence_weights=w).summary for p in tp]
        r1, r2, rl = rouge(preds, tl_docs)
        if r1 + rl > best_s[0]:
            best_s = (r1 + rl, w)
            print(f"  tldr R1 {r1:.1f} R2 {r2:.1f} RL {rl:.1f} {w}", flush=True)
    print("best sentence weights:", best_s[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="grid-search on the tuning halves")
    parser.add_argument("--llm", action="store_true", help="also score the configured LLM")
    args = parser.parse_args()
    wanted = "tune" if args.tune else "report"

    keyphrase_docs = read_jsonl(DATA / "keyphrases-dev.jsonl")
    tldr_docs = [d for d in read_jsonl(DATA / "tldr-dev.jsonl") if half(d["id"]) == wanted]
    inspec = [d for d in keyphrase_docs if d["id"].startswith("inspec") and half(d["id"]) == wanted]
    semeval = [
        d for d in keyphrase_docs if d["id"].startswith("semeval") and half(d["id"]) == wanted
    ]

    embedder = OnnxEmbedder()
    all_docs = inspec + semeval + tldr_docs
    vecs = paper_vectors(embedder, all_docs)
    ins_v, sem_v, tl_v = np.split(vecs, [len(inspec), len(inspec) + len(semeval)])
    tv = local.TokenVectors(embedder)

    if args.tune:
        tune(inspec + semeval, np.concatenate([ins_v, sem_v]), tldr_docs, tl_v, tv)
        return

    # Speed first, on a cold word-piece table, then warm (the site's steady state).
    papers = [(d["title"], d["abstract"], v) for d, v in zip(all_docs, vecs, strict=True)]
    timings = []
    for label in ("cold", "warm"):
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(papers), 64):
            local.summarize_batch(papers[i : i + 64], tv)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        # Papers per CPU-second too: wall time on a shared machine says more about the others.
        timings.append(
            f"{label} {len(papers) / elapsed:.0f} papers/s ({len(papers) / cpu:.0f} per CPU-s)"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(
        f"Held-out ('report') halves: Inspec {len(inspec)}, SemEval-2017 {len(semeval)}, "
        f"SciTLDR {len(tldr_docs)} documents; weights tuned on the other halves.\n"
    )
    print(f"{'Keyphrases F1@5 / F1@10':28} {'Inspec':>14} {'SemEval-2017':>14}")
    rows = {}
    baselines = [
        ("YAKE (n=3)", lambda docs, v: yake_keyphrases(docs)),
        ("TextRank (bench)", lambda docs, v: textrank_keyphrases(docs)),
    ]
    if have_summa():
        baselines.append(("TextRank (summa 1.2.0)", lambda docs, v: summa_keyphrases(docs)))
    else:
        print("(summa is not installed: `pip install summa==1.2.0` adds its TextRank row)")
    for name, fn in (
        *baselines,
        (
            "Paperboy local",
            lambda docs, v: [e.keywords for e in run_local(docs, v, tv, max_keywords=10)],
        ),
    ):
        rows[name] = [
            keyphrase_scores(fn(docs, v), docs) for docs, v in ((inspec, ins_v), (semeval, sem_v))
        ]
        cells = "".join(f"{f5:8.1f} /{f10:5.1f}" for f5, f10 in rows[name])
        print(f"{name:28}{cells}")
    for i, name in enumerate(("Inspec", "SemEval-2017")):
        base = max(rows[label][i][0] for label, _ in baselines)
        gain = 100 * (rows["Paperboy local"][i][0] / base - 1) if base else float("inf")
        print(f"  {name}: F1@5 {gain:+.0f} % relative to the best baseline (goal ≥ +20 %)")

    print(f"\n{'TL;DR ROUGE-1 / 2 / L':28} {'R1':>6} {'R2':>6} {'RL':>6}")
    summaries = [e.summary for e in run_local(tldr_docs, tl_v, tv)]
    lengths = [len(s.split()) for s in summaries]
    rows_t = {
        "first sentence": rouge([first_sentence(d["abstract"]) for d in tldr_docs], tldr_docs),
        "title": rouge([d["title"] for d in tldr_docs], tldr_docs),
        "Paperboy local": rouge(summaries, tldr_docs),
    }
    if args.llm:
        rows_t["LLM (" + os.environ.get("PAPERBOY_LLM_MODEL", "?") + ")"] = rouge(
            llm_summaries(tldr_docs), tldr_docs
        )
    for name, (r1, r2, rl) in rows_t.items():
        print(f"{name:28} {r1:6.1f} {r2:6.1f} {rl:6.1f}")
    print(
        f"  local TL;DR length: mean {np.mean(lengths):.1f} words, max {max(lengths)} "
        f"(limit {local.MAX_WORDS})"
    )

    print(
        f"\nSpeed (summary + keyphrases, {len(papers)} papers, vectors present): "
        f"{', '.join(timings)}; peak RSS {rss:.0f} MB; "
        f"{tv.count} word-piece vectors kept"
    )


def llm_summaries(docs: list[dict]) -> list[str]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperboy.settings")
    django.setup()
    from paperboy.summaries import llm

    client = llm.LLMClient.from_settings()
    if client is None:
        sys.exit("--llm needs PAPERBOY_LLM_URL and PAPERBOY_LLM_MODEL")
    return [client.summarize(d["title"], d["abstract"]).summary for d in docs]


if __name__ == "__main__":
    main()
