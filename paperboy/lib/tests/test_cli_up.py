"""`paperboy up` end to end: a real gunicorn, task worker and scheduler, stopped by SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, timeout: float = 90.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout:.0f} s")


@pytest.fixture
def up_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PAPERBOY_"))}
    env["PAPERBOY_DATA_DIR"] = str(tmp_path / "data")
    return env


def test_up_serves_the_demo_and_stops_cleanly_on_sigterm(up_env):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperboy.cli", "up", "--port", str(port)],
        env=up_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/health")
        assert health.status_code == 200
        assert health.text == "ok"
        page = httpx.get(f"http://127.0.0.1:{port}/papers", follow_redirects=True, timeout=10)
        assert page.status_code == 200
        assert page.text.count('class="card') >= 10  # the demo corpus is on today's page
        css = httpx.get(f"http://127.0.0.1:{port}/static/vendor/htmx.min.js", timeout=10)
        assert css.status_code == 200  # static files are served by the production server
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "Paperboy stopped." in out
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)


def test_up_refuses_a_bad_setting_in_one_line(up_env):
    up_env["PAPERBOY_PAGE_SIZE"] = "lots"
    result = subprocess.run(
        [sys.executable, "-m", "paperboy.cli", "up", "--port", str(_free_port())],
        env=up_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "paperboy: PAPERBOY_PAGE_SIZE='lots' is not a valid int (default: 50)"
    )
