"""arXiv backfill: paging by window, checkpoints, resuming after a failure and after kill -9."""

import json
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from paperboy.ingest import jobs
from paperboy.ingest.arxiv import ArxivClient, ArxivError
from paperboy.ingest.arxiv_ingest import backfill, backfill_key
from paperboy.ingest.models import Checkpoint
from paperboy.ingest.tests import atom
from paperboy.papers.models import Paper

START, END = date(2025, 11, 1), date(2025, 11, 14)
REPO = Path(__file__).resolve().parents[3]


def client(server) -> ArxivClient:
    return ArxivClient(api_url=server.url, min_interval=0, backoff_base=0)


def offsets(requests: list[str]) -> list[tuple[str, int]]:
    out = []
    for path in requests:
        params = parse_qs(urlsplit(path).query)
        window = params["search_query"][0].split("[")[1][:8]
        out.append((window, int(params["start"][0])))
    return out


def expected() -> dict[str, dict]:
    return {p["id"]: p for p in atom.backfill_papers()}


def test_it_imports_every_paper_of_the_range_page_by_page(backfill_server, db):
    with client(backfill_server) as c:
        result = backfill(c, category="cs.CL", start=START, end=END, page_size=4)
    assert (result.new, result.failed) == (23, 0)
    assert set(Paper.objects.values_list("arxiv_id", flat=True)) == set(expected())
    assert offsets(backfill_server.requests) == [
        ("20251101", 0), ("20251101", 4), ("20251101", 8),
        ("20251108", 0), ("20251108", 4), ("20251108", 8), ("20251108", 12),
    ]  # fmt: skip
    paper = Paper.objects.get(arxiv_id="2511.02358")
    assert paper.author_names() == expected()["2511.02358"]["authors"]
    assert paper.primary_category == "cs.CL"
    assert Checkpoint.objects.get(key=backfill_key("cs.CL", START, END)).done


def test_a_finished_backfill_does_nothing_the_second_time(backfill_server, db):
    with client(backfill_server) as c:
        backfill(c, category="cs.CL", start=START, end=END, page_size=4)
        asked = len(backfill_server.requests)
        again = backfill(c, category="cs.CL", start=START, end=END, page_size=4)
    assert again.total == 0
    assert len(backfill_server.requests) == asked


def test_a_restarted_backfill_changes_nothing(backfill_server, db):
    with client(backfill_server) as c:
        backfill(c, category="cs.CL", start=START, end=END, page_size=4)
        before = list(Paper.objects.order_by("pk").values("pk", "arxiv_id", "modified_at"))
        again = backfill(c, category="cs.CL", start=START, end=END, page_size=4, restart=True)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 23)
    assert list(Paper.objects.order_by("pk").values("pk", "arxiv_id", "modified_at")) == before


def test_it_resumes_at_the_page_that_failed(backfill_server, db):
    backfill_server.fail_at = 3
    with client(backfill_server) as c, pytest.raises(ArxivError):
        backfill(c, category="cs.CL", start=START, end=END, page_size=4)
    assert Paper.objects.count() == 8  # two pages committed, with their checkpoint
    backfill_server.fail_at = None
    backfill_server.requests.clear()
    with client(backfill_server) as c:
        result = backfill(c, category="cs.CL", start=START, end=END, page_size=4)
    assert offsets(backfill_server.requests)[0] == ("20251101", 8)
    assert (result.new, result.updated) == (15, 0)
    assert Paper.objects.count() == 23


def test_it_rejects_a_range_that_ends_before_it_starts(db):
    with pytest.raises(ValueError):
        backfill(ArxivClient(api_url="http://127.0.0.1:9/", min_interval=0), category="cs.CL",
                 start=END, end=START)  # fmt: skip


def _cli(data_dir: Path, server_url: str, *args: str) -> list[str]:
    env = {
        **os.environ,
        "PAPERBOY_DATA_DIR": str(data_dir),
        "PAPERBOY_ARXIV_API_URL": server_url,
        "PAPERBOY_ARXIV_MIN_INTERVAL": "0",
        "DATABASE_URL": "",
        "PAPERBOY_LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL")
    return [sys.executable, "-m", "paperboy.cli", *args], env


def test_a_backfill_killed_with_sigkill_resumes_and_loses_or_duplicates_nothing(
    backfill_server, tmp_path
):
    """The real command in its own process on its own SQLite file, killed mid-run."""
    data = tmp_path / "data"
    cmd, env = _cli(data, backfill_server.url, "manage", "migrate", "-v", "0")
    subprocess.run(cmd, env=env, check=True, cwd=REPO, timeout=300)
    backfill_args = [
        "ingest", "arxiv", "--from", str(START), "--to", str(END),
        "--category", "cs.CL", "--page-size", "4",
    ]  # fmt: skip
    cmd, env = _cli(data, backfill_server.url, *backfill_args)

    backfill_server.block_at = 5  # window 2, second page: 10 + 4 papers are in by then
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert backfill_server.reached.wait(timeout=120), "the backfill never got to page 5"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        backfill_server.release.set()
    assert proc.returncode == -signal.SIGKILL

    backfill_server.requests.clear()
    backfill_server.block_at = None
    done = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert offsets(backfill_server.requests)[0] == ("20251108", 4)  # from the checkpoint
    assert "9 new, 0 updated, 0 unchanged, 0 failed" in done.stdout

    cmd, env = _cli(data, backfill_server.url, "export", "papers")
    exported = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert exported.returncode == 0, exported.stderr
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert sorted(r["id"] for r in rows) == sorted(expected())  # nothing lost, nothing twice
    for row in rows:
        assert row["authors"] == expected()[row["id"]]["authors"]


def test_the_weekly_catch_up_fetches_the_last_eight_days_of_each_category(
    backfill_server, settings, db
):
    from datetime import UTC, datetime

    settings.PAPERBOY_ARXIV_API_URL = backfill_server.url
    settings.PAPERBOY_ARXIV_MIN_INTERVAL = 0
    settings.PAPERBOY_ARXIV_CATEGORIES = "cs.CL cs.LG"
    papers = atom.backfill_papers()
    week = [p for p in papers if "2025-11-07" <= p["published_at"][:10] < "2025-11-15"]
    in_cl = {p["id"] for p in week if "cs.CL" in p["categories"]}
    in_lg = {p["id"] for p in week if "cs.LG" in p["categories"]}
    assert in_cl and in_lg and len(week) < len(papers)

    runs = dict(jobs.run_arxiv_catch_up(now=datetime(2025, 11, 15, 11, 0, tzinfo=UTC)))

    assert (runs["cs.CL"].result.new, runs["cs.CL"].result.failed) == (len(in_cl), 0)
    lg = runs["cs.LG"].result  # cross-listed in cs.CL too: already in, so unchanged
    assert (lg.new, lg.unchanged, lg.failed) == (len(in_lg - in_cl), len(in_lg & in_cl), 0)
    assert set(Paper.objects.values_list("arxiv_id", flat=True)) == in_cl | in_lg
    assert {window for window, _ in offsets(backfill_server.requests)} == {"20251107"}


def test_the_scheduled_catch_up_reports_each_category(backfill_server, settings, db):
    from paperboy.ingest import tasks

    settings.PAPERBOY_ARXIV_API_URL = backfill_server.url
    settings.PAPERBOY_ARXIV_MIN_INTERVAL = 0
    settings.PAPERBOY_ARXIV_CATEGORIES = "cs.CL cs.LG"
    summary = tasks.catch_up_arxiv.call()
    assert summary.startswith("cs.CL: 0 new, 0 updated, 0 unchanged, 0 failed; cs.LG: ")
