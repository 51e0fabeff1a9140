"""Per-member page caching: a signed-in member's own page (their reading list, a collection as
its editor sees it, their For-you page) kept as rendered for them, and served again until
something it shows changes.

A page that differs per member cannot go in the visitors' cache (``lib/pagecache.py``); but the
same member asks for the same page again and again, and between two of their writes it is the
same page but for its CSRF tokens. So a view decorated with :func:`cache_for_member` keeps its
answer to a member under a key of

- the member's id and username (a copy is never looked up for anyone else: another member, a
  visitor and an API token never reach it),
- the full path (with its query string),
- the current *stamps* of the view's *scopes*: names the view gives for what the page shows
  (``"library:member:42"``, ``"library:collection:u:alice:reading"``), each a random string
  in the ``default`` cache that the app's one door for writes changes with :func:`bump` on
  every write that changes what those pages show. A bumped stamp makes a new key: the old
  copies are never read again (they expire), in every process at once;
- the visitors' page cache *generation* (``lib.pagecache.GENERATION_KEY``), which a moderation
  (``pagecache.forget``) and a cache clear change: a hidden paper leaves members' pages too.

The copy is the response's body cut where its CSRF tokens were (every rendering masks the
member's secret anew; each response gets a fresh mask joined in, as ``lib.pagecache`` does
for visitors) and its headers, never its cookies: session and CSRF cookies are set after the
view, per response, by their middleware. What the page shows that no stamp covers (a paper's
title, comment count, other readers' upvotes) is at most ``seconds`` old
(``PAPERBOY_LIST_CACHE_SECONDS`` by default, like the visitors' lists); past that one request
renders it anew while the member's other concurrent requests get the stale copy.

Copies live in each process's memory only (:data:`MEMORY_PAGES`, least recently used go; a
page is ~300 KB): a member's page is asked for by one reader, so each worker renders it at most
once per stamp, and keeping it in the ``default`` cache would cost more on every rendering
(pickling and compressing it, and the file cache lists its directory on every write) than the
other worker's one rendering saves, while crowding out the visitors' pages. The stamps, which
must be seen by every process at once, are in the ``default`` cache.

Only a member's plain GET for HTML is served from a copy: not htmx, not a token
(``Authorization``), not Markdown, not while they have messages pending (the page would not
show them); only a 200 without cookies is kept, and not when the view set
``response.paperboy_no_member_cache = True``. ``PAPERBOY_LIST_CACHE_SECONDS=0`` turns it
off.

Use::

    @login_required
    @require_GET
    @cache_for_member(scopes=lambda request: [f"library:member:{request.user.pk}"])
    def reading_list(request): ...

    memberpage.bump(f"library:member:{member.pk}")   # in the app's write, any transaction

``scopes(request, *args, **kwargs)`` gets the view's arguments and must not query the
database (it runs on every request); None renders the page without caching it.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from paperboy.lib.pagecache import (
    GENERATION_KEY,
    Memory,
    Page,
    cut_tokens,
    is_member_reading,
    stored_headers,
)

MEMORY_PAGES = 128  # member pages each process keeps at most (~40 MB at ~300 KB a page)
_PREFIX = "memberpage:"

memory = Memory(MEMORY_PAGES)

Scopes = Callable[..., Iterable[str] | None]


def _stamp_key(scope: str) -> str:
    return f"{_PREFIX}stamp:{scope}"


def stamps(scopes: Iterable[str]) -> tuple[str, ...]:
    """The current stamp of each scope (one cache round trip; a scope without one gets one)."""
    scopes = list(scopes)
    keys = [_stamp_key(s) for s in scopes]
    found = cache.get_many(keys)
    out = []
    for key in keys:
        stamp = found.get(key)
        if stamp is None:
            cache.add(key, secrets.token_hex(8), timeout=None)
            stamp = cache.get(key, "")
        out.append(stamp)
    return tuple(out)


def bump(*scopes: str) -> None:
    """Give each scope a new stamp: every page cached under the old one is out of use.

    Inside a transaction, now (so this request's next page is rendered) and again when it
    commits (a page rendered meanwhile from the data before the commit was stored under the
    stamp of now, which the second bump retires)."""

    def new() -> None:
        cache.set_many({_stamp_key(s): secrets.token_hex(8) for s in scopes}, timeout=None)

    new()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(new)


def _key(user, path: str, stamps: tuple[str, ...], generation: str) -> str:
    # The username too: the header shows it, and a rename changes no stamp.
    raw = "\0".join((str(user.pk), user.get_username(), path, generation, *stamps))
    return _PREFIX + "v1:" + hashlib.sha256(raw.encode()).hexdigest()


def _servable(request: HttpRequest) -> bool:
    """A signed-in member's plain GET for HTML, with no messages waiting to be shown."""
    return (
        is_member_reading(request)
        and "messages" not in request.COOKIES
        and "_messages" not in request.session
    )


def cut(request: HttpRequest, response: HttpResponse, seconds: int) -> Page | None:
    """``response`` as a copy to keep for this member (None when it must not be kept): its body
    cut where the member's CSRF tokens were, its headers but those of one response."""
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or getattr(response, "paperboy_no_member_cache", False)
    ):
        return None
    parts = cut_tokens(response.content, request.META.get("CSRF_COOKIE"))
    return Page(parts, stored_headers(response), time.time() + seconds)


def cache_for_member(
    view: Callable[..., HttpResponse] | None = None,
    *,
    scopes: Scopes,
    seconds: int | None = None,
) -> Callable[..., HttpResponse]:
    """Keep ``view``'s answers per member, keyed by their id and name, the full path and the
    stamps of ``scopes(request, *args, **kwargs)`` (see the module docstring). ``seconds``
    bounds how old what no scope covers may be (default ``PAPERBOY_LIST_CACHE_SECONDS``).

    Put it after ``login_required`` and ``require_GET``, and after (inside) any decorator
    whose answer a member's copy must not skip: a copy is served without calling what is
    inside it. A permission the view checks itself must be covered by a scope (a collection
    made private bumps the collection's; leaving an organization bumps the member's)."""
    if view is None:
        return lambda view: cache_for_member(view, scopes=scopes, seconds=seconds)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _servable(request):
            return view(request, *args, **kwargs)
        names = scopes(request, *args, **kwargs)
        if names is None:
            return view(request, *args, **kwargs)
        ttl = settings.PAPERBOY_LIST_CACHE_SECONDS if seconds is None else seconds
        names = list(names)
        found = cache.get_many([GENERATION_KEY, *(_stamp_key(s) for s in names)])
        generation = found.get(GENERATION_KEY, "")
        current = tuple(found.get(_stamp_key(s)) for s in names)
        if None in current:
            current = stamps(names)
        key = _key(request.user, request.get_full_path(), current, generation)
        now = time.time()
        page = memory.get(key)
        if page is not None and (
            page.fresh_until > now or not cache.add(key + ":render", 1, timeout=30)
        ):
            return page.response(request)
        try:
            response = view(request, *args, **kwargs)
        finally:
            if page is not None:
                cache.delete(key + ":render")
        fresh = cut(request, response, ttl)
        if fresh is not None:
            memory.put(key, fresh)
        return response

    return wrapper
