"""Build the committed demo corpus: paperboy/demo/papers.jsonl.gz and organizations.json.

A dev script, run by hand when the demo should change; the output is deterministic (same inputs,
same bytes). It reads the shared arXiv corpus and the saved Hugging Face Daily Papers page:

    .venv/bin/python scripts/build_demo.py \\
        [--corpus /work/shared/data/arxiv-cs.jsonl.gz] \\
        [--seed /work/shared/seed/daily-papers-page.txt] [--days 30] [--target 3000]

Selection: the papers of the last ``--days`` announcement days, mostly cs.CL/cs.LG/cs.AI/cs.CV
(a fifth of the other categories stays for variety), thinned per day in the order of a hash of
the id to about ``--target`` papers; plus every seed paper whose title is in the corpus.
"""

import argparse
import hashlib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from paperboy.ingest.jsonl import read_records, write_records  # noqa: E402

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

_DATE_LINE = re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4}(?: (?P<upvotes>\d+))?$")
_AUTHORS_LINE = re.compile(r"^•\s*\d+ authors?$")


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
        org = None
        if not _AUTHORS_LINE.match(org_line):
            org = SEED_ORGS[org_line.split()[0]]
        papers.append(
            {
                "title": lines[i - 6],
                "organization": org,
                "upvotes": int(match.group("upvotes") or 0),
            }
        )
    return papers


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
    for r in seed_records.values():
        chosen[r.arxiv_id] = r
    records = sorted(chosen.values(), key=lambda r: (r.published_at, r.arxiv_id))
    return records, seed_records, by_title


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
    print(f"seed papers not in the corpus ({len(missing)}):")
    for title in missing:
        print(f"  - {title}")


if __name__ == "__main__":
    main()
