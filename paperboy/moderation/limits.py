"""Rate limits on comments, submissions, claims and reports, per user and per IP address.

Counted in Django's cache (django-ratelimit) with the rates in ``PAPERBOY_RATE_LIMITS``. With
several web processes, point ``CACHES`` at a shared cache so the counts are shared too.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

NOUNS = {"comment": "comments", "submit": "submissions", "claim": "claims", "report": "reports"}
PERIODS = {"s": "second", "m": "minute", "h": "hour", "d": "day"}


def describe(rate: str, noun: str = "") -> str:
    """ "10/m" → "10 per minute"; "5/2h" → "5 per 2 hours"; with ``noun="comments"``,
    "10 comments per minute"."""
    count, _, period = rate.partition("/")
    unit = PERIODS.get(period[-1:], period)
    number = period[:-1]
    if noun and count.strip() == "1":
        noun = noun.removesuffix("s")
    what = f"{count} {noun}" if noun else count
    return f"{what} per {number} {unit}s" if number else f"{what} per {unit}"


def check(request: HttpRequest, action: str) -> str:
    """Count one ``action`` for this request's user and IP; the refusal message, or ""."""
    rates = settings.PAPERBOY_RATE_LIMITS.get(action, {})
    for key, who in (("user", "account"), ("ip", "network address")):
        rate = rates.get(key)
        if not rate or (key == "user" and not request.user.is_authenticated):
            continue
        if is_ratelimited(
            request, group=f"paperboy.{action}.{key}", key=key, rate=rate, increment=True
        ):
            return (
                f"Slow down: this site accepts at most "
                f"{describe(rate, NOUNS.get(action, action))} from one {who}. "
                "Please try again later."
            )
    return ""


def limited(action: str):
    """View decorator: POSTs beyond the limit get a 429 page saying so; GETs are free."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                message = check(request, action)
                if message:
                    return render(
                        request, "moderation/limited.html", {"message": message}, status=429
                    )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
