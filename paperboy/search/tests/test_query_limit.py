"""One limit on a search query (``lib.query.MAX_QUERY_CHARS``) at every door: the search page
and its boxes, ``/api/papers/search``, ``/feeds/search.rss``, ``paperboy papers search``, and a
real gunicorn started by ``paperboy up`` that takes the longest query a box can send."""

import os
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import quote

import httpx
import pytest

from paperboy.cli import main
from paperboy.lib.query import MAX_QUERY_CHARS, REQUEST_LINE_BYTES, trim_query
from paperboy.testing import make_paper

AT_LIMIT = ("protein " * MAX_QUERY_CHARS)[: MAX_QUERY_CHARS - 1] + "s"
PAST_LIMIT = AT_LIMIT + "x"


def test_trim_query_cuts_at_a_word_when_one_is_near():
    assert trim_query("short") == ("short", False)
    cut, trimmed = trim_query("word " * 200)
    assert trimmed and len(cut) <= MAX_QUERY_CHARS and cut.endswith("word")
    cut, trimmed = trim_query("x" * 600)
    assert (cut, trimmed) == ("x" * MAX_QUERY_CHARS, True)


def test_the_longest_query_a_box_can_send_fits_the_request_line():
    # maxlength counts UTF-16 code units: the worst is a 3-byte character, %XX%XX%XX.
    worst = "語" * MAX_QUERY_CHARS
    filters = "&category=cs.CL&org=" + "o" * 100 + "&code=1&date_from=2025-01-01"
    filters += "&date_to=2025-12-31&sort=date"
    line = f"GET /papers/search?q={quote(worst)}{filters} HTTP/1.1"
    assert len(line.encode()) <= REQUEST_LINE_BYTES


@pytest.mark.django_db
def test_the_api_takes_what_the_page_takes_and_refuses_more_in_json(client):
    make_paper(title="Predicting protein structures")
    assert client.get("/api/papers/search", {"q": AT_LIMIT}).status_code == 200
    response = client.get("/api/papers/search", {"q": PAST_LIMIT})
    assert response.status_code == 400
    assert str(MAX_QUERY_CHARS) in response.json()["error"]


@pytest.mark.django_db
def test_the_search_feed_takes_what_the_page_takes(client):
    make_paper(title="Predicting protein structures")
    assert client.get("/feeds/search.rss", {"q": AT_LIMIT}).status_code == 200
    response = client.get("/feeds/search.rss", {"q": PAST_LIMIT})
    assert response.status_code == 404
    assert f"1 to {MAX_QUERY_CHARS} characters" in response.content.decode()


@pytest.mark.django_db
def test_the_cli_takes_what_the_page_takes_and_refuses_more_in_one_line(capsys):
    make_paper(title="Predicting protein structures")
    assert main(["papers", "search", AT_LIMIT]) == 0
    capsys.readouterr()
    assert main(["papers", "search", PAST_LIMIT]) != 0
    err = capsys.readouterr().err.strip()
    assert err.endswith(f"the query must be 1 to {MAX_QUERY_CHARS} characters")
    assert "\n" not in err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_paperboy_up_answers_the_longest_query_with_a_page_not_a_414(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PAPERBOY_"))}
    env["PAPERBOY_DATA_DIR"] = str(tmp_path / "data")
    env["PAPERBOY_EMBEDDING_BACKEND"] = "none"
    closed = f"http://127.0.0.1:{_free_port()}"  # the scheduler's outside services: no network
    for name in ("HF_API_URL", "GITHUB_API_URL", "ARXIV_API_URL", "ARXIV_RSS_URL"):
        env[f"PAPERBOY_{name}"] = closed
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperboy.cli", "up", "--no-demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.get(f"{base}/health", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "paperboy up did not answer"
                time.sleep(0.5)
        # The longest the header box sends (4,500 bytes of q): gunicorn's default refused it.
        widest = httpx.get(f"{base}/papers/search", params={"q": "語" * MAX_QUERY_CHARS})
        assert widest.status_code == 200
        assert "URI Too Long" not in widest.text
        # A pasted address with a 5,000-character query: trimmed, and the page says so.
        pasted = httpx.get(f"{base}/papers/search", params={"q": "protein " * 625})
        assert pasted.status_code == 200
        assert "Your query was 4999 characters long" in pasted.text
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=90)  # a worker finishes the task in hand first
