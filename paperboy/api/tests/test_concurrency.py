"""Concurrent writes at a real server (pytest-django's threaded ``live_server``), on SQLite and
PostgreSQL: the daily submission cap and the rate limits hold however many requests race.

Ten submissions by one member at once used to put 7 papers on a list capped at 5 (the cap was
counted before the writing transaction); thirty comments at once got 14 past a limit of 10 a
minute (the counter lived in the file cache, whose increment is a read and a write).
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import time_machine

from paperboy.accounts.tokens import ApiToken
from paperboy.comments.models import Comment
from paperboy.feed.models import DailyEntry
from paperboy.testing import make_paper

pytestmark = pytest.mark.django_db(transaction=True)

# Half past the hour, the clock running: every request falls in the same hour and day, so the
# counts below do not depend on when the suite runs.
NOW = datetime(2025, 6, 2, 12, 0, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def file_cache(settings, tmp_path):
    """The cache a fresh install uses (a directory shared by the web workers), not the tests'
    per-process memory cache."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }


# The live server's listen queue holds 10 connections: more at once would be reset.
AT_ONCE = 10


def fire(url: str, token: str, bodies: list[dict]) -> list[int]:
    """POST the bodies from ``AT_ONCE`` threads that start together, each sending its share
    one after the other on one connection; the status codes."""
    start = threading.Barrier(AT_ONCE)
    shares = [bodies[i::AT_ONCE] for i in range(AT_ONCE)]

    def send(share: list[dict]) -> list[int]:
        codes = []
        with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {token}"}) as client:
            start.wait()
            for body in share:
                response = client.post(url, json=body)
                assert response.headers["Content-Type"].startswith("application/json")
                codes.append(response.status_code)
        return codes

    with ThreadPoolExecutor(AT_ONCE) as pool:
        return [code for codes in pool.map(send, shares) for code in codes]


def test_ten_submissions_at_once_respect_the_daily_cap(live_server, alice, settings):
    settings.PAPERBOY_SUBMIT_DAILY_CAP = 5
    settings.PAPERBOY_RATE_LIMITS = {"submit": {"user": "100/h", "ip": "100/h"}}
    with time_machine.travel(NOW, tick=True):
        ids = [
            make_paper(arxiv_id=f"2506.0010{n}", published_at=NOW - timedelta(days=1)).arxiv_id
            for n in range(10)
        ]
        token = ApiToken.issue(user=alice, name="racer")[1]

        codes = fire(f"{live_server.url}/api/daily_papers", token, [{"arxiv_id": i} for i in ids])

    assert sorted(codes) == [201] * 5 + [429] * 5
    assert DailyEntry.objects.filter(submitted_by=alice).count() == 5


def test_thirty_comments_at_once_respect_the_rate_limit(live_server, alice, settings):
    settings.PAPERBOY_RATE_LIMITS = {"comment": {"user": "10/m", "ip": "1000/m"}}
    with time_machine.travel(NOW, tick=True):
        make_paper(arxiv_id="2506.00200")
        token = ApiToken.issue(user=alice, name="racer")[1]

        codes = fire(
            f"{live_server.url}/api/papers/2506.00200/comment",
            token,
            [{"comment": f"comment {n}"} for n in range(30)],
        )

    assert sorted(codes) == [201] * 10 + [429] * 20
    assert Comment.objects.filter(user=alice).count() == 10
