"""``paperboy import papers`` / ``export papers`` / ``ingest`` argument checks."""

import gzip
import json
import zlib

import pytest

from paperboy.cli import main
from paperboy.ingest.tests.atom import backfill_papers
from paperboy.ingest.tests.conftest import Reply, fixture_bytes
from paperboy.papers.models import Paper
from paperboy.testing import make_paper


@pytest.fixture
def jsonl(tmp_path):
    path = tmp_path / "papers.jsonl.gz"
    lines = [json.dumps(p) for p in backfill_papers()[:5]]
    lines.insert(2, "{not json")
    lines.append(json.dumps({"id": "2511.99999", "title": "", "announced": "2025-11-05"}))
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("in_process", [False, True], ids=["thread", "process"])
def test_import_reports_bad_lines_imports_the_rest_and_exits_1(
    jsonl, db, capsys, monkeypatch, in_process
):
    from paperboy.ingest import prepare

    # A large file is read in a process of its own, a small one in a thread.
    monkeypatch.setattr(prepare, "PROCESS_MIN_BYTES", 0 if in_process else 1 << 40)
    assert main(["import", "papers", str(jsonl)]) == 1
    out, err = capsys.readouterr()
    assert "5 new, 0 updated, 0 unchanged, 2 failed" in out
    assert "failed line 3: not valid JSON" in err
    assert "failed line 7: 2511.99999: title is empty" in err
    assert Paper.objects.count() == 5


def test_a_second_import_changes_nothing(tmp_path, db, capsys):
    path = tmp_path / "good.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in backfill_papers()[:4]))
    assert main(["import", "papers", str(path)]) == 0
    assert main(["import", "papers", str(path)]) == 0
    assert "0 new, 0 updated, 4 unchanged, 0 failed" in capsys.readouterr().out


def test_export_then_import_round_trips(jsonl, tmp_path, db, capsys):
    main(["import", "papers", str(jsonl)])
    out = tmp_path / "export.jsonl.gz"
    assert main(["export", "papers", "-o", str(out)]) == 0
    with gzip.open(out, "rt") as f:
        rows = [json.loads(line) for line in f]
    ids = Paper.objects.values_list("arxiv_id", flat=True)
    assert sorted(r["id"] for r in rows) == sorted(ids)
    capsys.readouterr()
    assert main(["import", "papers", str(out)]) == 0
    assert "0 new, 0 updated, 5 unchanged, 0 failed" in capsys.readouterr().out


def test_a_missing_file_is_one_line_and_exit_2(tmp_path, db, capsys):
    assert main(["import", "papers", str(tmp_path / "nope.jsonl")]) == 2
    assert capsys.readouterr().err.strip().endswith("nope.jsonl: no such file")


@pytest.mark.parametrize(
    "args, message",
    [
        (["ingest", "arxiv"], "say --daily"),
        (["ingest", "arxiv", "--from", "2025-02-01", "--to", "2025-01-01", "--category", "cs.CL"],
         "--to is before --from"),
        (["ingest", "arxiv", "--from", "2025-01-01", "--to", "2025-01-02"], "exactly one"),
        (["ingest", "arxiv", "--daily", "--category", "biology"], "not an arXiv category"),
    ],
)  # fmt: skip
def test_bad_ingest_arguments_are_one_line_errors(args, message, db, capsys):
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_the_export_command_keeps_other_apps_subcommands():
    from paperboy.cli import build_parser
    from paperboy.ingest import cli

    build_parser()
    assert "papers" in cli.EXPORT_SUBPARSERS.choices


@pytest.mark.parametrize(
    "args, message",
    [
        (["ingest"], "paperboy ingest: the following arguments are required: source"),
        (["ingest", "arxiv", "--from", "2025-13-01"], "'2025-13-01' is not a YYYY-MM-DD date"),
        (["ingest", "hf", "--date", "2025-10-29", "--week", "2025-W44"], "not allowed with"),
        (["ingest", "hf", "--month", "2025-13"], "'2025-13' is not a month like 2025-10"),
        (["ingest", "github-stars", "--limit", "many"], "invalid int value: 'many'"),
        (["import", "papers"], "the following arguments are required: file"),
    ],
)
def test_arguments_argparse_refuses_are_one_line_and_exit_2(args, message, capsys):
    with pytest.raises(SystemExit) as exit:
        main(args)
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "usage:" not in err


# --- the network commands, against a local server serving the recorded fixtures ----------------


@pytest.fixture
def local_apis(arxiv_server, settings):
    base = arxiv_server.url.removesuffix("/api/query")
    settings.PAPERBOY_ARXIV_API_URL = arxiv_server.url
    settings.PAPERBOY_ARXIV_RSS_URL = f"{base}/rss"
    settings.PAPERBOY_ARXIV_MIN_INTERVAL = 0
    settings.PAPERBOY_HF_API_URL = f"{base}/api"
    settings.PAPERBOY_GITHUB_API_URL = base
    return arxiv_server


def test_ingest_arxiv_daily_summarises_and_exits_1_when_an_id_failed(local_apis, db, capsys):
    local_apis.replies = [
        Reply(200, fixture_bytes("arxiv_rss.xml")),
        Reply(200, fixture_bytes("arxiv_multi.xml")),
    ]
    assert main(["ingest", "arxiv", "--daily", "--category", "cs.CL"]) == 1
    out, err = capsys.readouterr()
    assert "arxiv daily: 2 new, 0 updated, 0 unchanged, 1 failed" in out
    assert "failed 2508.99999: arXiv has no paper with this id" in err
    assert local_apis.requests[0]["path"] == "/rss/cs.CL"


def test_ingest_hf_imports_a_week_and_a_second_run_changes_nothing(local_apis, db, capsys):
    local_apis.replies = [Reply(200, fixture_bytes("hf_daily_papers.json"))]
    assert main(["ingest", "hf", "--week", "2025-W45"]) == 0
    assert main(["ingest", "hf", "--week", "2025-W45"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("hf 2025-W45: 3 new, 0 updated, 0 unchanged, 0 failed")
    assert out[1].startswith("hf 2025-W45: 0 new, 0 updated, 3 unchanged, 0 failed")
    assert local_apis.requests[0]["path"] == "/api/daily_papers?week=2025-W45&p=0&limit=100"


def test_ingest_github_stars_refreshes_and_summarises(local_apis, db, capsys):
    make_paper(github_repo="https://github.com/example-lab/mmrag")
    local_apis.replies = [Reply(200, b'{"stargazers_count": 7}', {"ETag": '"a"'})]
    assert main(["ingest", "github-stars"]) == 0
    assert "github stars: 0 new, 1 updated, 0 unchanged, 0 failed" in capsys.readouterr().out
    assert Paper.objects.get().github_stars == 7


def test_an_unreachable_network_is_one_line_without_a_traceback(db, settings, capsys, monkeypatch):
    from paperboy.ingest import jobs
    from paperboy.ingest.arxiv import ArxivClient

    settings.PAPERBOY_ARXIV_RSS_URL = "http://127.0.0.1:9/rss"
    monkeypatch.setattr(
        jobs, "arxiv_client", lambda: ArxivClient(min_interval=0, max_attempts=2, backoff_base=0)
    )
    assert main(["ingest", "arxiv", "--daily"]) == 2
    *retries, last = capsys.readouterr().err.splitlines()
    assert last.startswith("paperboy: arxiv daily: arXiv did not answer after 2 attempts")
    assert "Connection refused" in last
    # Before it, at most the retry notices of the log (INFO, after its time, level and logger),
    # none with a traceback.
    assert all("arXiv: attempt 1 of 2 failed (ConnectError" in line for line in retries)


# --- a bad input corpus through `paperboy import papers` --------------------------------------


def line(arxiv_id: str, **fields) -> bytes:
    base = {
        "id": arxiv_id,
        "title": "A title",
        "abstract": "An abstract.",
        "authors": ["Ann Smith"],
        "categories": ["cs.CL"],
        "comment": None,
        "announced": "2025-11-03",
    }
    return json.dumps({**base, **fields}).encode()


def test_a_bad_input_corpus_imports_what_is_good_and_reports_the_rest(tmp_path, db, capsys):
    lines = [
        line("2511.00001", title="<b>Bold</b> &amp; <i>italic</i> H<sub>2</sub>O"),
        line("2511.00002", abstract="We prove $\\sum_i x_i \\le \\epsilon$ for $n<m$ and $k>2$."),
        line("2511.00003", authors=["Zoë Ångström", "山田 太郎", "Øyvind Ødegård"]),
        line("2511.00004", version=1, title="First version"),
        line("2511.00004", version=2, title="Second version"),  # the same id, one batch
        line("2511.00005").replace(b'"announced": "2025-11-03"', b'"announced": null'),
        line("2511.00006", title="<i></i>"),
        line("2511.00007", authors="Ann Smith"),
        line("2511.00008", title="Half an emoji \ud83d"),
        line("2511.00009", title="A stray byte").replace(b"stray", b"st\xffray"),
        b'{"id": "2511.00010", "title": "cut off',
        line("2511.00011", id="11.00011"),
        line("2511.00012", title="Last and good"),
    ]
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert main(["import", "papers", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "5 new, 0 updated, 1 unchanged, 7 failed" in out
    for reason in [
        "line 6: 2511.00005: needs 'announced'",
        "line 8: 2511.00007: authors must be a list of names",
        "line 10: not valid UTF-8",
        "line 11: not valid JSON",
        "line 12: 11.00011: ",
        "2511.00006: title is empty",
        "2511.00008: title is not valid Unicode",
    ]:
        assert f"failed {reason}" in err
    papers = {p.arxiv_id: p for p in Paper.objects.all()}
    assert sorted(papers) == [
        "2511.00001", "2511.00002", "2511.00003", "2511.00004", "2511.00012"
    ]  # fmt: skip
    assert papers["2511.00001"].title == "Bold & italic H2O"
    assert papers["2511.00002"].abstract == (
        "We prove $\\sum_i x_i \\le \\epsilon$ for $n<m$ and $k>2$."
    )
    assert papers["2511.00003"].author_names() == ["Zoë Ångström", "山田 太郎", "Øyvind Ødegård"]
    assert (papers["2511.00004"].version, papers["2511.00004"].title) == (2, "Second version")
    # Run again: the good records are unchanged and the bad ones fail the same way.
    assert main(["import", "papers", str(path)]) == 1
    assert "0 new, 0 updated, 6 unchanged, 7 failed" in capsys.readouterr().out


def test_imported_papers_are_handed_to_the_search_index_by_background_tasks(
    tmp_path, db, capsys, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    path = tmp_path / "good.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in backfill_papers()[:3]))
    with django_capture_on_commit_callbacks(execute=True):
        assert main(["import", "papers", str(path)]) == 0
    queued = DBTaskResult.objects.filter(task_path="paperboy.search.tasks.embed_papers")
    assert sorted(pk for task in queued for pk in task.args_kwargs["args"][0]) == sorted(
        Paper.objects.values_list("pk", flat=True)
    )
    assert not Paper.objects.filter(embedding__isnull=False).exists()  # not embedded inline


def test_a_cut_off_gzip_keeps_what_came_before_and_reports_the_rest(tmp_path, db, capsys):
    whole = gzip.compress("".join(json.dumps(p) + "\n" for p in backfill_papers()).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    assert main(["import", "papers", str(path), "--batch-size", "1000"]) == 1
    out, err = capsys.readouterr()
    imported = Paper.objects.count()
    assert 0 < imported < len(backfill_papers())
    assert f"{imported} new, 0 updated, 0 unchanged" in out
    assert "the file cannot be read from here on (Compressed file ended" in err
    rows = {p["id"]: p for p in backfill_papers()}
    for paper in Paper.objects.all():  # every paper that went in went in whole
        assert paper.title == rows[paper.arxiv_id]["title"]
        assert paper.author_names() == rows[paper.arxiv_id]["authors"]


@pytest.mark.parametrize("in_process", [False, True], ids=["thread", "process"])
def test_a_hostile_file_is_reported_line_by_line_and_the_rest_imported(
    tmp_path, db, capsys, monkeypatch, in_process
):
    from paperboy.ingest import jsonl, prepare

    monkeypatch.setattr(prepare, "PROCESS_MIN_BYTES", 0 if in_process else 1 << 40)
    # A small limit to keep the test cheap; the default is tested in test_jsonl.py.
    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", 64 << 10)
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip file
    parts = [
        packer.compress(line("2511.00001") + b"\n"),
        packer.compress(b"[" * 10_000 + b"\n"),  # a RecursionError in Python's JSON parser
        packer.compress(line("2511.00002") + b"\n"),
    ]
    parts += [packer.compress(b" " * (1 << 20)) for _ in range(8)]  # an 8 MiB line
    parts += [packer.compress(b"\n" + line("2511.00003") + b"\n"), packer.flush()]
    path = tmp_path / "hostile.jsonl.gz"
    path.write_bytes(b"".join(parts))

    assert main(["import", "papers", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "3 new, 0 updated, 0 unchanged, 2 failed" in out
    assert "failed line 2: nested deeper than 32 levels" in err
    assert "failed line 4: longer than 65,536 bytes, the longest line read" in err
    assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == [
        "2511.00001", "2511.00002", "2511.00003"
    ]  # fmt: skip
