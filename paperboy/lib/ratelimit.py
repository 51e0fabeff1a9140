"""Counting requests against a rate, atomically, and telling which address a request is from.

Counts live in the database (``RateCount``): one row per bucket ("comment:user:42") and time
window, incremented by one ``INSERT … ON CONFLICT DO UPDATE … RETURNING``, so however many
requests race, on however many web processes and machines share the database, each gets a
count of its own. (They used to live in the cache, whose default file backend increments by a
read and a write: thirty comments at once got 14 past a limit of 10.) Windows are fixed:
"10/m" allows 10 in each minute of the clock.

The address is ``REMOTE_ADDR``, or behind a proxy the last address in the header named by
``PAPERBOY_PROXY_IP_HEADER``; an IPv6 address counts as its /64.

What is limited, at which rates and with which messages is the callers' business
(``lib.limits`` for the community's actions, ``digests.views`` for sign-ups).
"""

from __future__ import annotations

import ipaddress
import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

from paperboy.lib.models import RateCount

SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "10/m" → (10, 60); "5/2h" → (5, 7200)."""
    count, _, period = rate.strip().partition("/")
    unit, number = period[-1:].lower(), period[:-1] or "1"
    if not count.isdigit() or unit not in SECONDS or not number.isdigit():
        raise ValueError(f"{rate!r} is not a rate like 10/m or 5/2h")
    return int(count), int(number) * SECONDS[unit]


def client_ip(request: HttpRequest) -> str:
    """The address a request comes from: the last address in the header named by
    ``PAPERBOY_PROXY_IP_HEADER`` (the one the proxy in front of us added), else
    ``REMOTE_ADDR``. An IPv6 address is cut to its /64, which one household or host holds."""
    value = ""
    header = settings.PAPERBOY_PROXY_IP_HEADER
    if header:
        meta = "HTTP_" + header.upper().replace("-", "_")
        value = request.META.get(meta, "").rpartition(",")[2].strip()
    remote = request.META.get("REMOTE_ADDR", "")
    try:
        address = ipaddress.ip_address(value or remote)
    except ValueError:
        return remote or "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def hit(bucket: str, period: int) -> int:
    """Count one more in ``bucket``'s current window of ``period`` seconds; the new count.

    One statement, atomic on SQLite and PostgreSQL alike: no two requests get the same count.
    When a window starts, the rows of every ended window go."""
    now = int(time.time())
    ends_at = now - now % period + period
    table = connection.ops.quote_name(RateCount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (bucket, ends_at, count) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (bucket, ends_at) DO UPDATE SET count = {table}.count + 1 "
            "RETURNING count",
            [bucket, ends_at],
        )
        (count,) = cursor.fetchone()
    if count == 1:
        RateCount.objects.filter(ends_at__lte=now).delete()
    return count


def over(bucket: str, rate: str) -> bool:
    """Count one more in ``bucket``; True when that goes over ``rate`` ("10/m")."""
    limit, period = parse_rate(rate)
    return hit(bucket, period) > limit
