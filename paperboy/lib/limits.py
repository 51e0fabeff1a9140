"""Rate limits on comments, submissions, claims and reports, per account and per network
address, with the rates in ``PAPERBOY_RATE_LIMITS``, and on library imports per member
(``RATES`` below): what is limited and what the refusal says.
Counted atomically in the database by ``lib.ratelimit``, shared by every web process.

Also the sizes of what members keep in their library (the ``*_CHARS`` lengths and the
``MAX_*`` caps below), checked by ``library.services`` and nowhere else.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from paperboy.lib import ratelimit

# A member's library (issue 16): text lengths in characters, and how much one member keeps.
COLLECTION_TITLE_CHARS = 100
COLLECTION_DESCRIPTION_CHARS = 2_000
SAVED_NOTE_CHARS = 10_000  # the private note on a saved paper
ITEM_NOTE_CHARS = 1_000  # the note on a paper in a collection (public with the collection)
MAX_SAVED_PAPERS = 100_000  # per member
MAX_COLLECTIONS = 500  # per owner (a member or an organization)
MAX_COLLECTION_ITEMS = 10_000  # per collection
# Importing a reference manager's export (library.importing): refused whole past these.
IMPORT_MAX_BYTES = 20 * 1024 * 1024  # a 10,000-item Zotero BibTeX export with abstracts: ~12 MB
IMPORT_MAX_ENTRIES = 10_000  # entries in one file or paste (a collection holds as many)
IMPORT_MAX_FETCH = 100  # arXiv ids missing from the catalog fetched per import (one request)
IMPORT_MAX_TITLE_LOOKUPS = 200  # entries without an arXiv id looked up by title in search

# Rates for actions that ``PAPERBOY_RATE_LIMITS`` does not name. An import may parse 20 MB,
# look up 200 titles and fetch 100 ids from arXiv: the web page and the API share one bucket.
RATES = {"import": {"user": "10/h"}}

NOUNS = {
    "comment": "comments",
    "submit": "submissions",
    "claim": "claims",
    "report": "reports",
    "import": "imports",
}
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


def refusal(action: str, *, user_id: int | None, ip: str | None) -> str:
    """Count one ``action`` by this account (when signed in) and this address; the message
    refusing it when that is over a limit, or ""."""
    rates = settings.PAPERBOY_RATE_LIMITS.get(action) or RATES.get(action, {})
    for key, who, value in (("user", "account", user_id), ("ip", "network address", ip)):
        rate = rates.get(key)
        if not rate or value is None:
            continue
        if ratelimit.over(f"{action}:{key}:{value}", rate):
            return (
                f"Slow down: this site accepts at most "
                f"{describe(rate, NOUNS.get(action, action))} from one {who}. "
                "Please try again later."
            )
    return ""


def check(request: HttpRequest, action: str) -> str:
    """Count one ``action`` for this request's account and address; the refusal, or ""."""
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    return refusal(action, user_id=user_id, ip=ratelimit.client_ip(request))


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
