"""A real local HTTP server that answers like an OpenAI-compatible chat endpoint, from
recorded responses (``fixtures/*.json``), and counts what it was asked."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


class FakeLLM:
    """``script``: what to answer to each request in turn (the last one repeats): a fixture
    name, an HTTP status (int), or ("sleep", seconds, fixture)."""

    def __init__(self) -> None:
        self.script: list = ["good.json"]
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake.lock:
                    index = len(fake.requests)
                    fake.requests.append({"path": self.path, "body": body})
                    fake.headers.append(dict(self.headers))
                    step = fake.script[min(index, len(fake.script) - 1)]
                if isinstance(step, tuple):
                    _, seconds, step = step
                    time.sleep(seconds)
                if isinstance(step, int):
                    self.send_response(step)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Retry-After", "0")
                    self.end_headers()
                    self.wfile.write(b'{"error": {"message": "overloaded"}}')
                    return
                payload = (FIXTURES / step).read_bytes()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_llm():
    server = FakeLLM()
    yield server
    server.close()


@pytest.fixture
def llm_settings(settings, fake_llm):
    settings.PAPERBOY_LLM = {
        "url": fake_llm.url,
        "model": "qwen2.5-7b-instruct",
        "api_key": "sk-test",
        "timeout": 5.0,
        "concurrency": 2,
        "daily_budget": 100,
    }
    return settings
