"""``PAPERBOY_CACHE_URL=redis://…`` against a real redis-server: the site starts with it, and
what lives in the shared cache (visitors' cached pages and their generation stamp) is stored
there and seen by every process. (Rate-limit counts live in the database: ``lib.ratelimit``.)

redis-server is the Debian package (``.ci/run`` installs it); without it these tests fail,
they never skip.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import date

import pytest
import redis
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from paperboy.lib import pagecache
from paperboy.testing import make_entry, make_paper

# Django's key for the stamp (KEY_PREFIX "", VERSION 1).
GENERATION = f":1:{pagecache.GENERATION_KEY}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    """A redis-server of this module's own on a free port, its files in a temporary directory."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: apt-get install redis-server (.ci/run does)")
    directory = tmp_path_factory.mktemp("redis")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(directory)]
        + ["--save", "", "--appendonly", "no", "--logfile", str(directory / "redis.log")],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 30
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"redis-server did not start: {(directory / 'redis.log').read_text()}")
            time.sleep(0.05)
    yield client
    client.close()
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture
def redis_cache(redis_server, settings):
    """The site's default cache in Redis, as PAPERBOY_CACHE_URL=redis://… configures it."""
    redis_server.flushall()
    port = redis_server.connection_pool.connection_kwargs["port"]
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        },
    }
    return redis_server


def test_the_site_starts_with_a_redis_cache_url(redis_server, tmp_path):
    port = redis_server.connection_pool.connection_kwargs["port"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERBOY_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(PAPERBOY_DATA_DIR=str(tmp_path), PAPERBOY_CACHE_URL=f"redis://127.0.0.1:{port}/3")
    code = "from django.core.cache import cache; cache.set('greeting', 'hello', 60)"

    result = subprocess.run(
        [sys.executable, "-m", "paperboy.cli", "manage", "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, (
        result.stderr
    )  # was: ModuleNotFoundError: No module named 'redis'
    stored = redis.Redis(host="127.0.0.1", port=port, db=3)
    assert list(stored.scan_iter()) == [b":1:greeting"]


@pytest.mark.django_db
def test_visitors_share_cached_pages_through_redis(redis_cache, settings):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 30
    make_entry(make_paper(arxiv_id="2510.00001", title="Kept in Redis"), date(2025, 10, 8))
    url = "/papers/date/2025-10-08"

    first = Client().get(url)
    stored = redis_cache.dbsize()
    with CaptureQueriesContext(connection) as queries:
        second = Client().get(url)

    assert first.status_code == second.status_code == 200
    assert "Kept in Redis" in second.content.decode()
    assert stored > 0 and len(queries) == 0
    generation = redis_cache.get(GENERATION)

    pagecache.forget(url)  # a moderation: every process must drop its copy

    assert redis_cache.get(GENERATION) != generation
    with CaptureQueriesContext(connection) as queries:
        third = Client().get(url)
    assert third.status_code == 200 and len(queries) > 0
