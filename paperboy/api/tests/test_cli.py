"""``paperboy papers ls|search|info`` (local database, a live Paperboy with --endpoint, and
Hugging Face's JSON from a local server) and ``paperboy export votes|daily``."""

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from paperboy.cli import main
from paperboy.feed import votes

pytestmark = pytest.mark.django_db


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ls_prints_a_table_of_a_day(capsys, listed):
    code, out, _ = run(capsys, "papers", "ls", "--date", "2025-01-15")
    assert code == 0
    assert "Most upvoted" in out
    assert "2501.00101" in out
    assert "Example Lab" in out


def test_ls_json_is_the_api_s_json(capsys, listed, client):
    code, out, _ = run(capsys, "papers", "ls", "--week", "2025-W03", "--limit", "50", "--json")
    assert code == 0
    api = client.get("/api/daily_papers", {"week": "2025-W03"}).json()
    assert json.loads(out) == api


def test_ls_sorts_by_trending(capsys, listed):
    code, out, _ = run(capsys, "papers", "ls", "--sort", "trending", "--json")
    assert code == 0
    assert len(json.loads(out)) == 4


@pytest.mark.parametrize(
    "argv",
    [
        ["papers", "ls", "--date", "2025-02-30"],
        ["papers", "ls", "--limit", "0"],
        ["papers", "ls", "--page", "-1"],
        ["papers", "info", "2501.99999"],
        ["papers", "search", ""],
        ["papers", "ls", "--endpoint", "ftp://example.org"],
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(capsys, listed, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith("paperboy: ")
    assert len(err.strip().splitlines()) == 1


def test_info_shows_one_paper(capsys, listed):
    code, out, _ = run(capsys, "papers", "info", "2501.00101")
    assert code == 0
    assert "Most upvoted" in out
    assert "Ada Lovelace" in out
    code, out, _ = run(capsys, "papers", "info", "2501.00101", "--json")
    assert json.loads(out)["upvotes"] == 3


def test_search_calls_the_search_engine(capsys, listed, monkeypatch):
    from paperboy.api.tests.fakes import fake_search

    calls = []
    fake_search(monkeypatch, [listed[1].paper], calls)
    code, out, _ = run(capsys, "papers", "search", "sparse attention", "--json")
    assert code == 0
    assert [i["paper"]["id"] for i in json.loads(out)] == ["2501.00102"]
    assert calls == [{"query": "sparse attention", "limit": 20}]


@pytest.mark.django_db(transaction=True)
def test_endpoint_reads_another_server(capsys, live_server, listed):
    code, out, _ = run(
        capsys, "papers", "ls", "--endpoint", live_server.url, "--date", "2025-01-15", "--json"
    )
    assert code == 0
    assert [i["paper"]["id"] for i in json.loads(out)] == [
        "2501.00101",
        "2501.00102",
        "2501.00103",
    ]
    code, out, _ = run(capsys, "papers", "info", "2501.00101", "--endpoint", live_server.url)
    assert code == 0
    assert "Most upvoted" in out
    code, _, err = run(capsys, "papers", "info", "2501.99999", "--endpoint", live_server.url)
    assert code == 2
    assert "404" in err
    code, _, err = run(
        capsys, "papers", "ls", "--endpoint", live_server.url, "--date", "2025-13-01"
    )
    assert code == 2
    assert "404" in err and "no such day" in err


def test_endpoint_that_is_down_is_one_line(capsys):
    code, _, err = run(capsys, "papers", "ls", "--endpoint", "http://127.0.0.1:9")
    assert code == 2
    assert "could not reach" in err


def test_export_daily_and_votes_to_stdout_and_to_a_file(capsys, listed, alice, tmp_path):
    votes.upvote(user_id=alice.pk, paper_id=listed[0].paper_id)
    code, out, _ = run(capsys, "export", "daily")
    assert code == 0
    assert [json.loads(line)["paper"] for line in out.splitlines()] == [
        "2501.00101",
        "2501.00102",
        "2501.00103",
        "2501.00104",
    ]
    target = tmp_path / "votes.jsonl"
    code, _, err = run(capsys, "export", "votes", "-o", str(target))
    assert code == 0
    assert "Wrote 1 votes line(s)" in err
    assert json.loads(target.read_text())["user"] == "alice"
    code, _, err = run(capsys, "export", "votes", "-o", str(tmp_path / "no" / "such" / "dir"))
    assert code == 2


HF_DAILY = Path(__file__).parents[2] / "ingest" / "tests" / "fixtures" / "hf_daily_papers.json"


@pytest.fixture
def hugging_face():
    """A local server answering like huggingface.co from the importer's Hugging Face fixture
    (``/api/daily_papers?date=2025-11-05`` in Hugging Face's layout): the daily list, one
    paper's object, search items, and Hugging Face's JSON 404. Records the requests."""
    items = json.loads(HF_DAILY.read_text())
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            seen.append(self.path)
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            limit = int(query.get("limit", ["50"])[0])
            status, body = 200, None
            if url.path.startswith("/elsewhere/"):  # some other JSON service
                body = {"message": "hello"}
            elif url.path == "/api/daily_papers":
                body = items[:limit]
            elif url.path == "/api/papers/search":
                body = items[::-1][:limit]
            elif url.path.startswith("/api/papers/"):
                wanted = url.path.removeprefix("/api/papers/")
                found = [i["paper"] for i in items if i["paper"]["id"] == wanted]
                status, body = (200, found[0]) if found else (404, {"error": "Paper not found"})
            else:
                status, body = 404, {"error": "Sorry, we can't find the page you are looking for."}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()
    server.server_close()


def test_endpoint_reads_hugging_face_s_json(capsys, hugging_face):
    url, seen = hugging_face
    code, out, _ = run(capsys, "papers", "ls", "--endpoint", url, "--date", "2025-11-05")
    assert code == 0
    assert "Daily papers · 2025-11-05" in out
    assert "2511.02358" in out and "Zürich NLP" in out
    assert "42" in out
    assert seen[-1] == "/api/daily_papers?p=0&limit=20&date=2025-11-05&sort=publishedAt"

    code, out, _ = run(capsys, "papers", "search", "query augmentation", "--endpoint", url)
    assert code == 0
    assert out.index("2511.03180") < out.index("2511.02358")
    assert seen[-1] == "/api/papers/search?q=query+augmentation&limit=20"

    code, out, _ = run(capsys, "papers", "info", "2511.02358", "--endpoint", url)
    assert code == 0
    assert "Let Multimodal Embedders Learn When to Augment Query" in out
    assert "Wongyu Kim" in out
    assert "Upvotes: 42" in out
    assert "Organization: Example Lab" in out
    assert "On the daily list: 2025-11-05" in out
    assert "https://github.com/example-lab/mmrag (128 stars)" in out

    code, out, _ = run(capsys, "papers", "info", "2511.02358", "--endpoint", url, "--json")
    assert json.loads(out)["upvotes"] == 42

    code, _, err = run(capsys, "papers", "info", "2511.99999", "--endpoint", url)
    assert code == 2
    assert err == f"paperboy: {url} answered 404: Paper not found\n"


def test_tables_fit_an_80_column_terminal(capsys, listed, monkeypatch):
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", "80")
    for argv in (
        ["ls", "--date", "2025-01-15"],
        ["ls", "--month", "2025-01"],
        ["info", "2501.00101"],
    ):
        code, out, _ = run(capsys, "papers", *argv)
        assert code == 0
        assert max(cell_len(line) for line in out.splitlines()) <= 80, out


def test_the_latest_day_is_named_and_its_date_column_left_out(capsys, listed):
    code, out, _ = run(capsys, "papers", "ls")
    assert code == 0
    assert "Daily papers · 2025-01-16" in out
    assert "Listed" not in out
    code, out, _ = run(capsys, "papers", "ls", "--week", "2025-W03")
    assert "Listed" in out and "2025-01-15" in out


def test_an_empty_period_says_so(capsys, listed):
    code, out, _ = run(capsys, "papers", "ls", "--month", "2024-02")
    assert code == 0
    assert out == "No papers on the daily list for 2024-02.\n"


def test_date_today_asks_for_today_s_date(capsys, hugging_face, time_machine):
    url, seen = hugging_face
    time_machine.move_to("2025-11-05 12:00")
    code, out, _ = run(capsys, "papers", "ls", "--date", "today", "--endpoint", url)
    assert code == 0
    assert seen[-1] == "/api/daily_papers?p=0&limit=20&date=2025-11-05&sort=publishedAt"
    assert "Daily papers · 2025-11-05" in out


@pytest.mark.parametrize("argv", [["ls"], ["search", "x"], ["info", "2511.02358"]])
def test_a_server_that_is_not_a_papers_api_is_one_line(capsys, hugging_face, argv):
    url, _ = hugging_face
    code, out, err = run(capsys, "papers", *argv, "--endpoint", f"{url}/elsewhere")
    assert code == 2
    assert err.startswith(f"paperboy: {url}/elsewhere/api/")
    assert "did not answer with a" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--submitter", "nobody"], "No papers on the daily list submitted by nobody.\n"),
        (["--month", "2025-01", "--page", "9"], "No papers for 2025-01 on page 9 (pages start"),
    ],
)
def test_an_empty_answer_says_what_was_asked(capsys, listed, argv, said):
    code, out, _ = run(capsys, "papers", "ls", *argv)
    assert code == 0
    assert out.startswith(said)


@pytest.mark.parametrize("argv", [["ls", "--json"], ["ls"], ["info", "2511.02358"]])
def test_a_reader_that_closes_the_pipe_early_is_no_error(hugging_face, argv):
    url, _ = hugging_face
    child = subprocess.Popen(
        [sys.executable, "-m", "paperboy.cli", "papers", *argv, "--endpoint", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    child.stdout.close()  # like `| head -0`: gone before anything is written
    err = child.stderr.read().decode()
    assert child.wait(timeout=60) == 0, err
    assert err == ""
