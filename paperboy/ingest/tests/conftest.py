"""Fixtures for the ingest tests: recorded arXiv responses and a real local HTTP server."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class FakeClock:
    """A clock whose sleeps are recorded and advance it instead of waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # False: no Content-Length; the body ends when the connection closes (HTTP/1.0).
    length: bool = True


@dataclass
class ScriptedServer:
    """Answers each GET with the next scripted reply (the last one repeats).

    A reply with status 0 closes the connection without answering (a network error).
    """

    url: str
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)

    def next_reply(self) -> Reply:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


@pytest.fixture
def arxiv_server() -> Iterator[ScriptedServer]:
    state = ScriptedServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            state.requests.append({"path": self.path, **dict(self.headers)})
            reply = state.next_reply()
            if reply.status == 0:  # a network error: hang up without an answer
                self.close_connection = True
                return
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
            if reply.length:
                self.send_header("Content-Length", str(len(reply.body)))
            else:
                self.close_connection = True
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}/api/query"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class BackfillServer:
    """Answers arXiv API search queries from ``atom.backfill_papers()``.

    ``block_at=N`` holds the N-th request (1-based) until ``release`` is set, after setting
    ``reached``: the moment to kill a client mid-run. ``fail_at=N`` answers the N-th with 400.
    """

    url: str = ""
    requests: list[str] = field(default_factory=list)
    block_at: int | None = None
    fail_at: int | None = None
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def backfill_server() -> Iterator[BackfillServer]:
    from paperboy.ingest.tests import atom

    state = BackfillServer()
    papers = atom.backfill_papers()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            with lock:
                state.requests.append(self.path)
                number = len(state.requests)
            if number == state.block_at:
                state.reached.set()
                state.release.wait(timeout=30)
            if number == state.fail_at:
                status, body = 400, b"bad request"
            else:
                status, body = 200, atom.answer(self.path, papers)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client was killed while we held its request

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_port}/api/query"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join()
