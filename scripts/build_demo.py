"""Build the committed demo corpus: paperboy/demo/papers.jsonl.gz and organizations.json.

A dev script, run by hand when the demo should change; the output is deterministic (same inputs,
same bytes). It reads the shared arXiv corpus and the saved Hugging Face Daily Papers page:

    .venv/bin/python scripts/build_demo.py \\
        [--corpus /work/shared/data/arxiv-cs.jsonl.gz] \\
        [--seed /work/shared/seed/daily-papers-page.txt] [--days 30] [--target 3000]

Selection: the papers of the last ``--days`` announcement days, mostly cs.CL/cs.LG/cs.AI/cs.CV
(a fifth of the other categories stays for variety), thinned per day in the order of a hash of
the id to about ``--target`` papers; plus the seed papers: those whose title is in the corpus,
and those listed in ``VERIFIED_SEED_PAPERS`` (the seed page's title, abstract and arXiv date with
an id and authors checked by hand against a public page that shows that exact title with that id).

It also writes ``paperboy/demo/vectors.npz``: one all-MiniLM-L6-v2 vector (float16) per paper,
keyed by arXiv id with a hash of the embedded text. Vectors of the previous file whose text is
unchanged are kept; the others are embedded with the shipped ONNX model (a few seconds for a
handful of papers, about ten minutes for the whole corpus on two cores).
"""

import argparse
import hashlib
import io
import json
import re
import sys
import zipfile
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from paperboy.ingest.jsonl import read_records, write_records  # noqa: E402
from paperboy.ingest.records import PaperRecord  # noqa: E402
from paperboy.search.embeddings import OnnxEmbedder, paper_text, text_hash  # noqa: E402

FOCUS = {"cs.CL", "cs.LG", "cs.AI", "cs.CV"}
DEMO_DIR = ROOT / "paperboy" / "demo"

# The organizations named on the seed page (HF names, lowercased as slugs) plus well-known labs.
ORGANIZATIONS = [
    ("tau", "Tel Aviv University"),
    ("bytedance-seed", "ByteDance Seed"),
    ("alibaba-inc", "Alibaba Group"),
    ("google-deepmind", "Google DeepMind"),
    ("facebook", "AI at Meta"),
    ("microsoft", "Microsoft Research"),
    ("allenai", "Allen Institute for AI"),
    ("nvidia", "NVIDIA"),
    ("huggingface", "Hugging Face"),
    ("stanford-nlp", "Stanford NLP"),
    ("mila-quebec", "Mila - Quebec AI Institute"),
    ("tsinghua-university", "Tsinghua University"),
    ("cmu-lti", "CMU Language Technologies Institute"),
    ("shanghai-ai-lab", "Shanghai AI Laboratory"),
]
# Organization line on the seed page ("<hf name> <display name>") -> our slug.
SEED_ORGS = {"tau": "tau", "ByteDance-Seed": "bytedance-seed", "alibaba-inc": "alibaba-inc"}

# Seed papers the shared corpus does not hold, with their real arXiv ids. Each id was checked
# against a public page showing the seed's exact title with that id (the "source" below); the
# authors and categories are the ones such a page lists ([] when none showed the categories).
# The abstract, arXiv date and upvote count come from the seed page itself.
VERIFIED_SEED_PAPERS = {
    "LLMs as Sparse Retrievers:A Framework for First-Stage Product Search": {
        "id": "2510.18527",
        "source": "https://arxiv.org/abs/2510.18527",
        "authors": [
            "Hongru Song",
            "Yu-an Liu",
            "Ruqing Zhang",
            "Jiafeng Guo",
            "Maarten de Rijke",
            "Sen Li",
            "Wenjun Peng",
            "Fuyu Lv",
            "Xueqi Cheng",
        ],
        "categories": ["cs.IR"],
    },
    "Towards Robustness of Text-to-SQL Models against Synonym Substitution": {
        "id": "2106.01065",
        "source": "https://ar5iv.labs.arxiv.org/html/2106.01065",
        "authors": [
            "Yujian Gan",
            "Xinyun Chen",
            "Qiuping Huang",
            "Matthew Purver",
            "John R. Woodward",
            "Jinxia Xie",
            "Pengsheng Huang",
        ],
        "categories": [],
    },
    "Derivational Morphology Reveals Analogical Generalization in Large Language Models": {
        "id": "2411.07990",
        "source": "https://arxiv.org/abs/2411.07990",
        "authors": [
            "Valentin Hofmann",
            "Leonie Weissweiler",
            "David Mortensen",
            "Hinrich Schütze",
            "Janet Pierrehumbert",
        ],
        "categories": ["cs.CL"],
    },
    "Do LLMs Really Adapt to Domains? An Ontology Learning Perspective": {
        "id": "2407.19998",
        "source": "https://www.arxiv.org/abs/2407.19998",
        "authors": ["Huu Tan Mai", "Cuong Xuan Chu", "Heiko Paulheim"],
        "categories": ["cs.CL", "cs.AI"],
    },
    "Forget BIT, It is All about TOKEN: Towards Semantic Information Theory for LLMs": {
        "id": "2511.01202",
        "source": "https://papers.app.nz/api/paper?id=2846485 (arxiv_id 2511.01202)",
        "authors": ["Bo Bai"],
        "categories": ["cs.IT"],
    },
    "Talking Heads: Understanding Inter-layer Communication in Transformer Language Models": {
        "id": "2406.09519",
        "source": "https://web3.arxiv.org/abs/2406.09519v1",
        "authors": ["Jack Merullo", "Carsten Eickhoff", "Ellie Pavlick"],
        "categories": ["cs.CL"],
    },
    "Large Language Models are In-Context Semantic Reasoners rather than Symbolic Reasoners": {
        "id": "2305.14825",
        "source": "http://arxiv.org/abs/2305.14825v2",
        "authors": [
            "Xiaojuan Tang",
            "Zilong Zheng",
            "Jiaqi Li",
            "Fanxu Meng",
            "Song-Chun Zhu",
            "Yitao Liang",
            "Muhan Zhang",
        ],
        "categories": ["cs.CL", "cs.AI"],
    },
    "Large Models of What? Mistaking Engineering Achievements for Human Linguistic Agency": {
        "id": "2407.08790",
        "source": "https://arxiv.org/abs/2407.08790",
        "authors": ["Abeba Birhane", "Marek McGann"],
        "categories": ["cs.CL"],
    },
    "Multilingual LLMs Struggle to Link Orthography and Semantics in Bilingual Word Processing": {
        "id": "2501.09127",
        "source": "https://arxiv.org/html/2501.09127v2",
        "authors": ["Eshaan Tanwar", "Gayatri Oke", "Tanmoy Chakraborty"],
        "categories": ["cs.CL"],
    },
    "Geospatial Mechanistic Interpretability of Large Language Models": {
        "id": "2505.03368",
        "source": "https://arxiv.org/html/2505.03368v1",
        "authors": ["Stef De Sabbata", "Stefano Mizzaro", "Kevin Roitero"],
        "categories": [],
    },
    "Lexinvariant Language Models": {
        "id": "2305.16349",
        "source": "https://arxiv.org/abs/2305.16349v1",
        "authors": [
            "Qian Huang",
            "Eric Zelikman",
            "Sarah Li Chen",
            "Yuhuai Wu",
            "Gregory Valiant",
            "Percy Liang",
        ],
        "categories": ["cs.CL"],
    },
    (
        "Seemingly Plausible Distractors in Multi-Hop Reasoning: "
        "Are Large Language Models Attentive Readers?"
    ): {
        "id": "2409.05197",
        "source": "https://huggingface.erdda.com/papers/2409.05197 (arxiv:2409.05197)",
        "authors": ["Neeladri Bhuiya", "Viktor Schlegel", "Stefan Winkler"],
        "categories": [],
    },
    "Localist LLMs with Recruitment Learning": {
        "id": "2510.17358",
        "source": "https://arxiv.org/abs/2510.17358v1",
        "authors": ["Joachim Diederich"],
        "categories": ["cs.LG", "cs.AI"],
    },
    "OpenGloss: A Synthetic Encyclopedic Dictionary and Semantic Knowledge Graph": {
        "id": "2511.18622",
        "source": "https://arxiv.org/html/2511.18622v1",
        "authors": ["Michael J. Bommarito"],
        "categories": [],
    },
    "The Closeness of In-Context Learning and Weight Shifting for Softmax Regression": {
        "id": "2304.13276",
        "source": "http://www.arxiv.org/abs/2304.13276",
        "authors": ["Shuai Li", "Zhao Song", "Yu Xia", "Tong Yu", "Tianyi Zhou"],
        "categories": ["cs.CL", "cs.LG"],
    },
    "Interpreting and Improving Large Language Models in Arithmetic Calculation": {
        "id": "2409.01659",
        "source": "https://arxiv.org/abs/2409.01659",
        "authors": [
            "Wei Zhang",
            "Chaoqun Wan",
            "Yonggang Zhang",
            "Yiu-ming Cheung",
            "Xinmei Tian",
            "Xu Shen",
            "Jieping Ye",
        ],
        "categories": ["cs.CL"],
    },
    (
        "Embers of Autoregression: Understanding Large Language Models "
        "Through the Problem They are Trained to Solve"
    ): {
        "id": "2309.13638",
        "source": "https://hf.co/papers/2309.13638 (arxiv:2309.13638)",
        "authors": [
            "R. Thomas McCoy",
            "Shunyu Yao",
            "Dan Friedman",
            "Matthew Hardy",
            "Thomas L. Griffiths",
        ],
        "categories": [],
    },
    "Unified Lexical Representation for Interpretable Visual-Language Alignment": {
        "id": "2407.17827",
        "source": "https://arxiv.org/html/2407.17827v2",
        "authors": ["Yifan Li", "Yikai Wang", "Yanwei Fu", "Dongyu Ru", "Zheng Zhang", "Tong He"],
        "categories": ["cs.CV", "cs.AI", "cs.CL", "cs.LG"],
    },
}

_DATE_LINE = re.compile(r"^(?P<date>[A-Z][a-z]{2} \d{1,2}, \d{4})(?: (?P<upvotes>\d+))?$")
_AUTHORS_LINE = re.compile(r"^•\s*(?P<count>\d+) authors?$")


def _key(text: str) -> str:
    return " ".join(text.split()).lower()


def _hash(arxiv_id: str) -> str:
    return hashlib.sha1(arxiv_id.encode()).hexdigest()


def parse_seed_page(path: Path) -> list[dict]:
    """Each card reads: title, abstract, org or "• N authors", "·", date [upvotes]."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    papers = []
    for i, line in enumerate(lines):
        match = _DATE_LINE.match(line)
        if not match or lines[i - 1] != "·":
            continue
        org_line = lines[i - 2]
        org, authors = None, _AUTHORS_LINE.match(org_line)
        if not authors:
            org = SEED_ORGS[org_line.split()[0]]
        papers.append(
            {
                "title": lines[i - 6],
                "abstract": lines[i - 4],
                "organization": org,
                "authors": int(authors.group("count")) if authors else None,
                "date": datetime.strptime(match.group("date"), "%b %d, %Y").date(),
                "upvotes": int(match.group("upvotes") or 0),
            }
        )
    return papers


def verified_seed_records(seed: list[dict], skip: set[str]) -> dict[str, PaperRecord]:
    """Records for the seed papers of ``VERIFIED_SEED_PAPERS`` (by title key), minus ``skip``."""
    by_title = {_key(p["title"]): p for p in seed}
    records = {}
    for title, known in VERIFIED_SEED_PAPERS.items():
        key = _key(title)
        card = by_title.get(key)
        if card is None or key in skip:
            continue
        if card["authors"] is not None and card["authors"] != len(known["authors"]):
            raise SystemExit(f"{title}: the seed page counts {card['authors']} authors")
        records[key] = PaperRecord(
            arxiv_id=known["id"],
            title=card["title"],
            abstract=card["abstract"],
            authors=known["authors"],
            published_at=datetime.combine(card["date"], datetime.min.time(), tzinfo=UTC),
            categories=known["categories"],
        )
    return records


def select(corpus: Path, seed: list[dict], *, days: int, target: int):
    by_title = {_key(p["title"]): p for p in seed}
    by_day = defaultdict(list)
    seed_records = {}
    for record in read_records(corpus):
        if _key(record.title) in by_title:
            seed_records[_key(record.title)] = record
        by_day[record.published_at.date()].append(record)
    window = sorted(by_day)[-days:]
    candidates = {
        day: [
            r
            for r in by_day[day]
            if (r.categories[:1] and r.categories[0] in FOCUS)
            or int(_hash(r.arxiv_id), 16) % 5 == 0
        ]
        for day in window
    }
    share = target / sum(len(c) for c in candidates.values())
    chosen = {}
    for day in window:
        ranked = sorted(candidates[day], key=lambda r: _hash(r.arxiv_id))
        for r in ranked[: round(len(ranked) * share)]:
            chosen[r.arxiv_id] = r
    seed_records.update(verified_seed_records(seed, skip=set(seed_records)))
    for r in seed_records.values():
        chosen[r.arxiv_id] = r
    records = sorted(chosen.values(), key=lambda r: (r.published_at, r.arxiv_id))
    return records, seed_records, by_title


def write_vectors(records: list, path: Path = DEMO_DIR / "vectors.npz") -> tuple[int, int]:
    """One float16 vector per record in ``path``; returns (kept from the old file, embedded)."""
    texts = {r.arxiv_id: paper_text(r.title, r.abstract) for r in records}
    hashes = {arxiv_id: text_hash(text) for arxiv_id, text in texts.items()}
    embedder = OnnxEmbedder()
    kept: dict[str, np.ndarray] = {}
    if path.exists():
        old = np.load(path)
        if str(old["model_id"]) == embedder.model_id:
            for a, h, v in zip(old["ids"], old["hashes"], old["vectors"], strict=True):
                if hashes.get(str(a)) == str(h):
                    kept[str(a)] = v
    todo = sorted(a for a in texts if a not in kept)
    if todo:
        matrix = embedder.embed_many([texts[a] for a in todo], batch_size=32)
        kept.update(zip(todo, matrix.astype(np.float16), strict=True))
    ids = sorted(texts)
    arrays = {
        "ids": np.array(ids),
        "hashes": np.array([hashes[a] for a in ids]),
        "vectors": np.stack([kept[a] for a in ids]).astype(np.float16),
        "model_id": np.array(embedder.model_id),
    }
    # np.savez_compressed, with fixed timestamps: the same vectors give the same bytes.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, array, allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())
    return len(ids) - len(todo), len(todo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("/work/shared/data/arxiv-cs.jsonl.gz"))
    parser.add_argument(
        "--seed", type=Path, default=Path("/work/shared/seed/daily-papers-page.txt")
    )
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--target", type=int, default=3000)
    args = parser.parse_args()

    seed = parse_seed_page(args.seed)
    records, seed_records, by_title = select(args.corpus, seed, days=args.days, target=args.target)
    count = write_records(records, DEMO_DIR / "papers.jsonl.gz")
    kept, embedded = write_vectors(records)

    seed_papers = [
        {
            "id": record.arxiv_id,
            "title": by_title[key]["title"],
            "organization": by_title[key]["organization"],
            "upvotes": by_title[key]["upvotes"],
        }
        for key, record in sorted(seed_records.items(), key=lambda kv: kv[1].arxiv_id)
    ]
    organizations = {
        "organizations": [{"slug": s, "name": n, "avatar_url": ""} for s, n in ORGANIZATIONS],
        "seed_papers": seed_papers,
    }
    (DEMO_DIR / "organizations.json").write_text(
        json.dumps(organizations, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    missing = [p["title"] for p in seed if _key(p["title"]) not in seed_records]
    seed_ids = {p["id"] for p in seed_papers}
    days = sorted({r.published_at.date() for r in records if r.arxiv_id not in seed_ids})
    print(
        f"{count} papers ({days[0]} to {days[-1]}), {len(seed_papers)} of {len(seed)} seed papers"
    )
    print(f"vectors: {kept} kept, {embedded} embedded")
    print(f"seed papers left out ({len(missing)}):")
    for title in missing:
        print(f"  - {title}")


if __name__ == "__main__":
    main()
