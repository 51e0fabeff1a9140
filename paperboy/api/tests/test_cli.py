"""``paperboy papers ls|search|info`` (local database or --endpoint) and
``paperboy export votes|daily``."""

import json

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
    assert "400" in err


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
