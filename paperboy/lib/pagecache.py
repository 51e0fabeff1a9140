"""Whole-page caching for visitors: one rendering serves every reader without a session.

A list or paper page for a visitor (no session cookie, no pending messages) is the same for
everyone except its CSRF token, which the header's subscribe form needs. Views that may be
shared this way are decorated with :func:`cache_for_visitors`; :class:`VisitorPageMiddleware`
stores their responses and answers later visitors itself, before the session, auth, message
and URL-resolving work, which a visitor's cached page does not need:

- the copy is the finished response's body as bytes, cut where the CSRF tokens were, and its
  headers (never its cookies); each visitor gets their own token joined in and the CSRF cookie
  set by Django's own ``CsrfViewMiddleware`` code, as on a rendered page;
- the shared copy lives in the ``default`` cache (a directory shared by the web workers, or
  Redis), and each process keeps the copies it served in memory too. A memory copy is used
  only while its ``PAPERBOY_LIST_CACHE_SECONDS`` last and while the shared *generation* stamp
  is the one it was read under: :func:`forget` (a moderation) and a cache clear change the
  stamp, so every process drops its memory copies at once, not when they expire;
- a stale copy is kept for as long again: when it expires under load, one request renders the
  page anew while the others are served the stale copy (no stampede).

Members (a session cookie) are served the same copy by the view decorator when the view says
it may be (``@cache_for_visitors(members=…)``), with their own parts filled in ("hole
punching"): the page marks what differs for a signed-in reader, and a member's response is the
copy with those marks replaced, at the cost of a few queries and string joins instead of a
rendering of every card:

- ``{% memberpart "<template>#<partial>" %}`` (the header's account menu, the messages, the
  paper page's claim box, actions and discussion) is rendered alone for the member, with the
  view's ``members(request, …)`` context (the paper page gives the paper);
- ``{% cardpart "<app>:<name>" card %}`` (each card's upvote, …) comes from the apps'
  ``card_state`` (one query each for the whole page) and ``card_part`` hooks
  (``lib/cardstate.py``);
- the CSRF tokens are the member's, as for visitors.

A member whose page is not cached yet renders it as a visitor would (their session and user
set aside), stores that, and fills it in: a copy never holds anything of a member's.

API clients with a token, htmx requests, Markdown requests and anything that is not a plain GET
bypass the cache. ``PAPERBOY_LIST_CACHE_SECONDS`` bounds how stale a visitor's page can be
(``0`` turns the cache off; members then get every page rendered for them).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CSRF_TOKEN_LENGTH,
    CsrfViewMiddleware,
)
from django.template.loader import render_to_string

from paperboy.lib import cardstate

PLACEHOLDER = "__paperboy_csrf_token__"
GENERATION_KEY = "page:generation"
# Masked CSRF tokens as Django writes them into forms and htmx headers.
_CANDIDATE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{%d}(?![A-Za-z0-9])" % CSRF_TOKEN_LENGTH)
# A member's part of a page, as ``lib/templatetags/cardparts.py`` marks it on a visitor's page:
# kind (card or part), name, paper id (cards), what a visitor sees (dropped for a member).
_HOLE = re.compile(rb"<!--(card|part) ([^ >]+)(?: ([0-9]+))?-->.*?<!--/\1-->", re.S)
_XFRAME = "django.middleware.clickjacking.XFrameOptionsMiddleware"
# Response headers that belong to one response, not to the page.
_NOT_STORED = {"content-length", "set-cookie", "date"}
MEMORY_PAGES = 256  # pages each process keeps in memory at most (least recently used go)
_INDEX = {char: i for i, char in enumerate(CSRF_ALLOWED_CHARS)}
# The largest multiple of len(CSRF_ALLOWED_CHARS) that fits a byte: bytes below it map to a
# character uniformly.
_BELOW = 256 // len(CSRF_ALLOWED_CHARS) * len(CSRF_ALLOWED_CHARS)


def _random_chars(length: int) -> str:
    """``length`` characters drawn uniformly from the CSRF alphabet with the system CSPRNG,
    like Django's ``get_random_string`` but from one ``urandom`` call instead of one per
    character (that call was a third of a cached page's time)."""
    chars: list[str] = []
    while len(chars) < length:
        chars += [
            CSRF_ALLOWED_CHARS[b % len(CSRF_ALLOWED_CHARS)]
            for b in secrets.token_bytes(length + 8)
            if b < _BELOW
        ]
    return "".join(chars[:length])


def csrf_token(request: HttpRequest) -> str:
    """Django's ``get_token``, faster: the visitor's CSRF secret (a new one, to be set as
    their cookie, when they have none) masked with a fresh random mask."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = _random_chars(CSRF_SECRET_LENGTH)
        request.META["CSRF_COOKIE"] = secret
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # set (or renew) the cookie, as Django does
    mask = _random_chars(CSRF_SECRET_LENGTH)
    n = len(CSRF_ALLOWED_CHARS)
    cipher = "".join(
        CSRF_ALLOWED_CHARS[(_INDEX[s] + _INDEX[m]) % n] for s, m in zip(secret, mask, strict=True)
    )
    return mask + cipher


# One piece of a page as a member gets it: bytes as they are, None for a CSRF token, or
# (kind, name, paper id) for a part of theirs.
Segment = bytes | None | tuple[str, str, int]


@dataclass(frozen=True)
class Page:
    """A visitor's page, ready to send: ``token.join(parts)`` is its body. ``member`` is the
    same page cut where a member's parts go (empty when it has none), made from ``parts`` by
    the first member a process serves it to and kept in that process's memory only (None: not
    made yet), so the shared copy is no bigger for it."""

    parts: tuple[bytes, ...]
    headers: tuple[tuple[str, str], ...]
    fresh_until: float
    generation: str = ""
    member: tuple[Segment, ...] | None = None

    def response(self, request: HttpRequest) -> HttpResponse:
        if len(self.parts) > 1:
            body = csrf_token(request).encode().join(self.parts)
        else:
            body = self.parts[0]
        response = HttpResponse(body)
        for name, value in self.headers:
            response.headers[name] = value
        response.headers["Content-Length"] = str(len(body))
        return response


def page_key(path: str) -> str:
    # "v2": copies are Page objects (the first format, a (text, type, time) tuple, is ignored).
    return "page:v2:" + hashlib.sha256(path.encode()).hexdigest()


def forget(path: str) -> None:
    """Drop the visitors' copy of ``path`` everywhere: the shared copy, and (through a new
    generation stamp) every process's memory copies."""
    cache.delete(page_key(path))
    cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)


def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
        generation = cache.get(GENERATION_KEY, "")
    return generation


class Memory:
    """A small thread-safe LRU, per process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pages: OrderedDict[str, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key: str, page: Any) -> None:
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()


memory = Memory(MEMORY_PAGES)
# Paths whose view does not cache for visitors, so that they cost no cache look-up.
elsewhere = Memory(4 * MEMORY_PAGES)


def _may_share(request: HttpRequest) -> bool:
    """What can be told before the session and auth middleware: a plain GET for HTML
    without a session or pending messages."""
    return (
        request.method == "GET"
        and "HTTP_HX_REQUEST" not in request.META
        # An API client with a token reads live data (its own writes at once).
        and "HTTP_AUTHORIZATION" not in request.META
        # The paper page answers agents in Markdown: only the HTML variant is cached.
        and "text/markdown" not in request.META.get("HTTP_ACCEPT", "")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _is_visitor(request: HttpRequest) -> bool:
    return _may_share(request) and not request.user.is_authenticated


def is_member_reading(request: HttpRequest) -> bool:
    """A signed-in reader's plain GET for HTML, while pages are cached."""
    return (
        settings.PAPERBOY_LIST_CACHE_SECONDS > 0
        and not settings.CSRF_USE_SESSIONS
        and request.method == "GET"
        and "HTTP_HX_REQUEST" not in request.META
        and "HTTP_AUTHORIZATION" not in request.META
        and "text/markdown" not in request.META.get("HTTP_ACCEPT", "")
        and request.user.is_authenticated
    )


Members = Callable[..., dict[str, Any] | None]


def cache_for_visitors(
    view: Callable[..., HttpResponse] | None = None,
    *,
    members: Members | bool = False,
    query: Callable[[str], bool] | None = None,
) -> Callable[..., HttpResponse]:
    """Mark ``view``'s answers to visitors as the same for every visitor (but the CSRF token),
    so that :class:`VisitorPageMiddleware` may keep and share them.

    ``members`` (``True``, or ``members(request, *args, **kwargs) -> context | None``) says
    that every part of the page a member sees differently is marked (``{% memberpart %}``,
    ``{% cardpart %}``), so members may be served the visitors' copy with their parts filled
    in; the function gives the context that the page's ``memberpart`` templates need (None:
    render the page for the member instead, e.g. the paper is gone).

    ``query(query_string) -> bool`` says which addresses may have a copy: a copy is kept under
    the full address, so a page whose copies must be dropped at once (a collection made
    private) is shared only at the addresses its app drops (``?p=N``, not ``?p=1&utm=x``); at
    any other, every reader gets it rendered."""
    if view is None:
        return lambda view: cache_for_visitors(view, members=members, query=query)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if query is not None and not query(request.META.get("QUERY_STRING", "")):
            return view(request, *args, **kwargs)
        if members and is_member_reading(request):
            response = _member_page(request, view, args, kwargs, members)
            if response is not None:
                return response
        response = view(request, *args, **kwargs)
        if _is_visitor(request):
            response.paperboy_visitor_page = True
        return response

    return wrapper


def _template(request: HttpRequest, response: HttpResponse, seconds: int) -> Page | None:
    """The response as a shareable page, or None when it must not be shared."""
    if (
        response.status_code != 200
        or response.streaming
        or not getattr(response, "paperboy_visitor_page", False)
        # A cookie other than the CSRF one would be this visitor's own.
        or set(response.cookies) - {settings.CSRF_COOKIE_NAME}
    ):
        return None
    parts = cut_tokens(response.content, request.META.get("CSRF_COOKIE"))
    return Page(parts, stored_headers(response), time.time() + seconds)


_CHARS = CSRF_ALLOWED_CHARS.encode()
# (cipher byte, mask byte) -> the secret's character: Django's ``_unmask_cipher_token`` as a
# table (a member's page holds ~200 tokens; Django's per-character ``str.index`` took ~20 ms).
_UNMASK = {
    (c, m): chr(_CHARS[(i - j) % len(_CHARS)])
    for i, c in enumerate(_CHARS)
    for j, m in enumerate(_CHARS)
}


def _unmasks_to(token: bytes, secret: str) -> bool:
    """Whether ``token`` (a masked CSRF token as bytes) is ``secret`` masked."""
    mask, cipher = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    try:
        return "".join([_UNMASK[pair] for pair in zip(cipher, mask, strict=True)]) == secret
    except KeyError:  # not from the CSRF alphabet
        return False


def cut_tokens(body: bytes, secret: str | None) -> tuple[bytes, ...]:
    """``body`` cut where the CSRF tokens of ``secret`` are (each rendering masks the secret
    anew, so every masked form of it is a cut): ``token.join(parts)`` gives it back."""
    if not secret or len(secret) != CSRF_SECRET_LENGTH:
        return (body,)
    parts: list[bytes] = []
    at = 0
    seen: dict[bytes, bool] = {}  # a view masks the secret once and uses it on every row
    for match in _CANDIDATE.finditer(body):
        token = match.group()
        if token not in seen:
            seen[token] = _unmasks_to(token, secret)
        if seen[token]:
            parts.append(body[at : match.start()])
            at = match.end()
    parts.append(body[at:])
    return tuple(parts)


def stored_headers(response: HttpResponse) -> tuple[tuple[str, str], ...]:
    """The response's headers that belong to the page, not to this one response."""
    return tuple(
        (name, value) for name, value in response.items() if name.lower() not in _NOT_STORED
    )


def _member_segments(parts: tuple[bytes, ...]) -> tuple[Segment, ...]:
    """The page cut at the CSRF tokens and at the member parts outside them (none: no parts).
    The tokens' places are marked by a NUL byte while the parts are found: no HTML has one."""
    body = b"\0".join(parts)
    if b"<!--card " not in body and b"<!--part " not in body:
        return ()
    segments: list[Segment] = []

    def literal(text: bytes) -> None:
        for i, piece in enumerate(text.split(b"\0")):
            if i:
                segments.append(None)
            segments.append(piece)

    at = 0
    for hole in _HOLE.finditer(body):
        literal(body[at : hole.start()])
        kind, name, pk = hole.groups()
        segments.append((kind.decode(), name.decode(), int(pk or 0)))
        at = hole.end()
    literal(body[at:])
    return tuple(segments)


def _shared(key: str, generation: str, now: float) -> Page | None:
    """This process's copy of the page while fresh and of this generation, else the shared
    one (fresh or stale), else None."""
    page = memory.get(key)
    if page is None or page.generation != generation or page.fresh_until <= now:
        page = cache.get(key)
        if not isinstance(page, Page):
            return None
        page = dataclasses.replace(page, generation=generation)
        memory.put(key, page)
    return page


def _keep(key: str, page: Page, seconds: int, generation: str) -> Page:
    cache.set(key, dataclasses.replace(page, member=None), seconds * 2)
    page = dataclasses.replace(page, generation=generation)
    memory.put(key, page)
    return page


# --- Members ---------------------------------------------------------------------------------

PartKey = Callable[[HttpRequest, dict[str, Any]], Any]


@dataclass(frozen=True)
class _Shared:
    key: PartKey
    per_page: bool


_shared_parts: dict[str, _Shared] = {}
# Rendered member parts shared by members with the same key, cut at their CSRF tokens.
part_memory = Memory(4 * MEMORY_PAGES)


def share_part(name: str, key: PartKey, *, per_page: bool = True) -> None:
    """Say that the member part ``name`` (``{% memberpart name %}``) looks the same to every
    member for whom ``key(request, context) -> hashable`` gives the same answer (None: render
    it for this member), but for their CSRF token: it is then rendered once per key (per copy
    of the page too when ``per_page``: a part showing the page's data) in each process and
    joined with each member's token, instead of rendered for every request. Apps call it from
    ``AppConfig.ready`` for the parts their templates mark; ``key`` may run one query."""
    _shared_parts[name] = _Shared(key, per_page)


def _render_part(
    request: HttpRequest, name: str, context: dict, page: Page, path: str
) -> tuple[bytes, ...]:
    """The member part ``name``, cut at the member's CSRF tokens (see :func:`share_part`)."""
    shared = _shared_parts.get(name)
    key = None if shared is None else shared.key(request, context)
    if key is not None:
        memo = (name, key, path, page.fresh_until) if shared.per_page else (name, key)
        parts = part_memory.get(memo)
        if parts is None:
            body = render_to_string(name, context, request=request).encode()
            parts = cut_tokens(body, request.META.get("CSRF_COOKIE"))
            # Kept only if the key still holds after the rendering: a write of this member's
            # in between (a claim made in another tab) would put their own data in a copy
            # shared with others.
            if shared.key(request, context) == key:
                part_memory.put(memo, parts)
        return parts
    return cut_tokens(render_to_string(name, context, request=request).encode(), None)


def _account_key(request: HttpRequest, context: dict) -> Any:
    # The header's account menu shows the member's name and nothing else of theirs.
    return request.user.pk, request.user.get_username()


def _messages_key(request: HttpRequest, context: dict) -> Any:
    # No message waiting (in the messages cookie or the session): the part is empty for all.
    if "messages" in request.COOKIES or "_messages" in request.session:
        return None
    return "none"


share_part("base.html#account_nav", _account_key, per_page=False)
share_part("base.html#messages", _messages_key, per_page=False)


def _as_visitor(request: HttpRequest) -> HttpRequest:
    """The same request without its reader: no session cookie, session, user or messages."""
    visitor = copy.copy(request)
    hidden = {settings.SESSION_COOKIE_NAME, "messages"}
    visitor.COOKIES = {k: v for k, v in request.COOKIES.items() if k not in hidden}
    visitor.session = import_module(settings.SESSION_ENGINE).SessionStore()
    visitor.user = AnonymousUser()
    visitor._messages = []
    return visitor


def _member_page(request, view, args, kwargs, members: Members | bool) -> HttpResponse | None:
    """The visitors' copy of the page with the member's parts filled in, or None when the
    page must be rendered for them (not shareable, no parts, ``members`` said so)."""
    context = members(request, *args, **kwargs) if callable(members) else {}
    if context is None:
        return None
    seconds = settings.PAPERBOY_LIST_CACHE_SECONDS
    path = request.get_full_path()
    key = page_key(path)
    generation = _generation()
    page = _shared(key, generation, time.time())
    if page is None or (page.fresh_until <= time.time() and cache.add(key + ":render", 1, 30)):
        visitor = _as_visitor(request)
        try:
            response = view(visitor, *args, **kwargs)
        finally:
            cache.delete(key + ":render")
        response.paperboy_visitor_page = True
        if _XFRAME in settings.MIDDLEWARE:
            # Added between the page cache and the view on a visitor's rendering: a copy made
            # here must carry it too, for the visitors it is sent to.
            XFrameOptionsMiddleware(lambda r: response).process_response(visitor, response)
        fresh = _template(visitor, response, seconds)
        if fresh is None:
            return None
        page = _keep(key, fresh, seconds, generation)
    if page.member is None:
        page = dataclasses.replace(page, member=_member_segments(page.parts))
        memory.put(key, page)
    if not page.member:
        return None
    return _fill(request, page, path, context)


def _fill(request: HttpRequest, page: Page, path: str, context: dict) -> HttpResponse | None:
    token = csrf_token(request)
    holes = [s for s in page.member if s.__class__ is tuple]
    states = cardstate.for_reader(
        request.user,
        [pk for kind, _, pk in holes if kind == "card"],
        {name.partition(":")[0] for kind, name, _ in holes if kind == "card"},
    )
    where = cardstate.PagePart(csrf_token=token, next_url=path)
    token_bytes = token.encode()
    rendered = {
        name: token_bytes.join(_render_part(request, name, context, page, path))
        for kind, name, _ in holes
        if kind == "part"
    }
    renderers = {name: cardstate.renderer(name) for name in {h[1] for h in holes if h[0] == "card"}}
    body: list[bytes] = []
    for segment in page.member:
        if segment.__class__ is bytes:
            body.append(segment)
        elif segment is None:
            body.append(token_bytes)
        elif segment[0] == "part":
            body.append(rendered[segment[1]])
        else:
            state = states.get(segment[2])
            if not state:  # a paper gone since the copy was made
                return None
            body.append(renderers[segment[1]](segment[2], state, where).encode())
    response = HttpResponse(b"".join(body))
    for name, value in page.headers:
        response.headers[name] = value
    response.headers["Content-Length"] = str(len(response.content))
    return response


class VisitorPageMiddleware:
    """Answer visitors from the page cache before the session and auth middleware run.

    Goes right after ``WhiteNoiseMiddleware``; see the module docstring."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAPERBOY_LIST_CACHE_SECONDS
        if seconds <= 0 or settings.CSRF_USE_SESSIONS or not _may_share(request):
            return self.get_response(request)
        request.get_host()  # refuses a host that is not allowed, as CommonMiddleware would
        path = request.get_full_path()
        if elsewhere.get(path):
            return self.get_response(request)
        key = page_key(path)
        generation = _generation()
        now = time.time()
        page = _shared(key, generation, now)
        if page is not None and (
            page.fresh_until > now or not cache.add(key + ":render", 1, timeout=30)
        ):
            return self._send(request, page)
        try:
            response = self.get_response(request)
        finally:
            cache.delete(key + ":render")
        fresh = _template(request, response, seconds)
        if fresh is not None:
            _keep(key, fresh, seconds, generation)
        elif response.status_code == 200 and not getattr(response, "paperboy_visitor_page", 0):
            # A view that is not cached for visitors (/health, sign-in, search): this process
            # stops looking its path up. (Not after an error: a 404 paper may appear later.)
            elsewhere.put(path, True)
        return response

    def _send(self, request: HttpRequest, page: Page) -> HttpResponse:
        self.csrf.process_request(request)
        response = page.response(request)
        return self.csrf.process_response(request, response)
