"""The sources' one HTTP client against a real local server: backoff, Retry-After, size cap."""

from datetime import UTC, datetime, timedelta

import pytest

from paperboy.ingest.http import (
    RateLimiter,
    SourceClient,
    SourceError,
    SourceUnavailable,
    retry_after,
)
from paperboy.ingest.tests.conftest import FakeClock, Reply


def source(**kw) -> tuple[SourceClient, list[float]]:
    sleeps: list[float] = []
    kw.setdefault("jitter", lambda: 0.5)
    return SourceClient("Example", sleep=sleeps.append, **kw), sleeps


# --- RateLimiter -------------------------------------------------------------------------------


def test_the_rate_limiter_does_not_wait_before_the_first_request():
    clock = FakeClock()
    RateLimiter(3.0, clock=clock, sleep=clock.sleep).wait()

    assert clock.sleeps == []


def test_the_rate_limiter_waits_out_the_rest_of_the_interval():
    clock = FakeClock()
    limiter = RateLimiter(3.0, clock=clock, sleep=clock.sleep)
    limiter.wait()
    clock.now += 1.0
    limiter.wait()
    clock.now += 5.0
    limiter.wait()

    assert clock.sleeps == [2.0]


def test_the_client_asks_its_limiter_before_every_attempt(arxiv_server):
    arxiv_server.replies = [Reply(503), Reply(200, b"ok")]
    clock = FakeClock()
    client, _ = source(limiter=RateLimiter(3.0, clock=clock, sleep=clock.sleep), backoff_base=0)

    with client:
        assert client.get(arxiv_server.url).body == b"ok"

    assert clock.sleeps == [3.0]  # the second attempt waited its turn too


# --- Retry-After -------------------------------------------------------------------------------


def test_it_reads_retry_after_as_seconds_or_an_http_date():
    in_a_minute = datetime.now(UTC) + timedelta(seconds=60)

    assert retry_after("120") == 120.0
    assert 55 <= retry_after(in_a_minute.strftime("%a, %d %b %Y %H:%M:%S GMT")) <= 60
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after("soon") is None
    assert retry_after(None) is None


def test_it_waits_what_retry_after_says_instead_of_backing_off(arxiv_server):
    arxiv_server.replies = [
        Reply(429, b"slow down", {"Retry-After": "7"}),
        Reply(503, b"busy", {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
        Reply(200, b"ok"),
    ]
    client, sleeps = source()

    with client:
        assert client.get(arxiv_server.url).body == b"ok"

    assert sleeps == [7.0, 0.0]  # a date in the past: at once
    assert len(arxiv_server.requests) == 3


def test_a_retry_after_longer_than_max_delay_stops_at_once(arxiv_server):
    arxiv_server.replies = [Reply(503, b"busy", {"Retry-After": "3600"})]
    client, sleeps = source(max_delay=60)

    with client, pytest.raises(SourceUnavailable, match="asks us to wait 3600 s"):
        client.get(arxiv_server.url)

    assert (sleeps, len(arxiv_server.requests)) == ([], 1)


# --- backoff -----------------------------------------------------------------------------------


def test_it_backs_off_exponentially_with_jitter_within_max_delay(arxiv_server):
    arxiv_server.replies = [Reply(503), Reply(0), Reply(502), Reply(500), Reply(200, b"ok")]
    jitter = iter([0.0, 1.0, 0.5, 1.0])
    client, sleeps = source(
        backoff_base=2.0, max_delay=10.0, max_attempts=5, jitter=lambda: next(jitter)
    )

    with client:
        assert client.get(arxiv_server.url).body == b"ok"

    # Steps of 2, 4, 8 and 10 (16 capped) seconds; each wait is between half and all of it.
    assert sleeps == [1.0, 4.0, 6.0, 10.0]


def test_it_gives_up_after_max_attempts(arxiv_server):
    arxiv_server.replies = [Reply(503)]
    client, sleeps = source(max_attempts=3, backoff_base=0)

    with client, pytest.raises(SourceUnavailable, match="after 3 attempts .HTTP 503"):
        client.get(arxiv_server.url)

    assert len(arxiv_server.requests) == 3


def test_it_does_not_retry_a_client_error(arxiv_server):
    arxiv_server.replies = [Reply(404, b"no such thing")]
    client, sleeps = source()

    with client, pytest.raises(SourceError, match="answered HTTP 404") as raised:
        client.get(arxiv_server.url, params={"q": "x"})

    assert not isinstance(raised.value, SourceUnavailable)
    assert (sleeps, len(arxiv_server.requests)) == ([], 1)


# --- size cap and User-Agent -------------------------------------------------------------------


@pytest.mark.parametrize("declared", [True, False])
def test_it_refuses_a_body_over_the_size_cap_without_retrying(arxiv_server, declared):
    arxiv_server.replies = [Reply(200, b"x" * 5000, length=declared)]
    client, sleeps = source(max_bytes=4096)

    with client, pytest.raises(SourceError, match="too large") as raised:
        client.get(arxiv_server.url)

    assert not isinstance(raised.value, SourceUnavailable)
    assert len(arxiv_server.requests) == 1


def test_a_body_at_the_size_cap_is_read_whole(arxiv_server):
    arxiv_server.replies = [Reply(200, b"x" * 4096, length=False)]
    client, _ = source(max_bytes=4096)

    with client:
        assert client.get(arxiv_server.url).body == b"x" * 4096


def test_it_sends_the_configured_user_agent_and_the_sources_headers(arxiv_server, settings):
    settings.PAPERBOY_USER_AGENT = "Paperboy-test/3.0 (+https://papers.example.org)"
    arxiv_server.replies = [Reply(200, b"ok")]
    client, _ = source()

    with client:
        client.get(arxiv_server.url, headers={"Accept": "application/json"})

    sent = arxiv_server.requests[0]
    assert (sent["User-Agent"], sent["Accept"]) == (
        settings.PAPERBOY_USER_AGENT,
        "application/json",
    )
