"""lib.ratelimit: counts that race correctly in the database, fixed windows, the client's
address behind a proxy (PAPERBOY_PROXY_IP_HEADER), and digest sign-ups counted per visitor."""

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connections
from django.test import RequestFactory

from paperboy.lib import ratelimit
from paperboy.lib.models import RateCount

NOON = datetime(2025, 6, 2, 12, 0, 0, tzinfo=UTC)


def test_rates_parse():
    assert ratelimit.parse_rate("10/m") == (10, 60)
    assert ratelimit.parse_rate("5/2h") == (5, 7200)
    assert ratelimit.parse_rate("1/d") == (1, 86400)
    with pytest.raises(ValueError, match="not a rate"):
        ratelimit.parse_rate("ten/m")


@pytest.mark.django_db
def test_a_window_counts_up_and_the_next_one_starts_afresh(db):
    with time_machine.travel(NOON, tick=False) as clock:
        assert [ratelimit.hit("x", 60) for _ in range(3)] == [1, 2, 3]
        assert ratelimit.hit("y", 60) == 1
        clock.shift(60)
        assert ratelimit.hit("x", 60) == 1
    # The new window's first count swept the ended windows away.
    assert list(RateCount.objects.values_list("bucket", "count")) == [("x", 1)]


@pytest.mark.django_db(transaction=True)
def test_counts_from_many_threads_are_each_their_own(db):
    start = threading.Barrier(8)
    counts: list[int] = []

    def count_five():
        try:
            start.wait()
            for _ in range(5):
                counts.append(ratelimit.hit("race", 3600))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=count_five) for _ in range(8)]
    with time_machine.travel(NOON, tick=True):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(counts) == list(range(1, 41))


def request(**meta):
    return RequestFactory().post("/x", REMOTE_ADDR="10.0.0.2", **meta)


def test_without_a_proxy_header_the_address_is_the_peer_s(settings):
    settings.PAPERBOY_PROXY_IP_HEADER = ""
    assert ratelimit.client_ip(request(HTTP_X_FORWARDED_FOR="203.0.113.9")) == "10.0.0.2"


def test_behind_a_proxy_the_address_is_the_one_it_added(settings):
    settings.PAPERBOY_PROXY_IP_HEADER = "X-Forwarded-For"
    # A client may send its own X-Forwarded-For; the proxy appends the address it saw.
    forged = request(HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert ratelimit.client_ip(forged) == "203.0.113.9"
    assert ratelimit.client_ip(request()) == "10.0.0.2"  # header missing: the peer
    assert ratelimit.client_ip(request(HTTP_X_FORWARDED_FOR="junk")) == "10.0.0.2"
    settings.PAPERBOY_PROXY_IP_HEADER = "X-Real-IP"
    assert ratelimit.client_ip(request(HTTP_X_REAL_IP="2001:db8:1:2:3:4:5:6")) == "2001:db8:1:2::"


@pytest.mark.django_db
def test_behind_a_proxy_each_visitor_has_their_own_sign_up_limit(client, settings):
    """Behind nginx every request comes from 127.0.0.1: without the header, the tenth sign-up
    of the hour, by anyone, locked every visitor out."""
    settings.PAPERBOY_PROXY_IP_HEADER = "X-Forwarded-For"
    settings.PAPERBOY_DIGEST_SUBSCRIBE_RATE = "2/h"

    def sign_up(visitor: str, n: int):
        return client.post(
            "/digests/subscribe",
            {"email": f"v{n}@example.org", "frequency": "daily"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=visitor,
        )

    with time_machine.travel(NOON, tick=False):
        first = [sign_up("198.51.100.1", n).status_code for n in range(3)]
        other = sign_up("198.51.100.2", 9).status_code

    assert first == [200, 200, 429]
    assert other == 200
