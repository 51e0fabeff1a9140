"""Whole-page caching for visitors: one rendering serves every reader without a session.

A list or paper page for a visitor (no session cookie, no pending messages) is the same for
everyone except its CSRF token, which the header's subscribe form needs. The cached copy keeps
a placeholder where the token was; each response gets the visitor's own token put back, and
the CSRF middleware sets the cookie as usual. Members, and anything that is not a plain GET,
bypass the cache. ``PAPERBOY_LIST_CACHE_SECONDS`` bounds how stale a visitor's page can be.
"""

import hashlib
import re
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

PLACEHOLDER = "__paperboy_csrf_token__"
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def _is_visitor(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not request.headers.get("HX-Request")
        # The paper page answers agents in Markdown: only the HTML variant is cached.
        and "text/markdown" not in request.headers.get("Accept", "")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.user.is_authenticated
    )


def page_key(path: str) -> str:
    return "page:" + hashlib.sha256(path.encode()).hexdigest()


def cache_for_visitors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        seconds = settings.PAPERBOY_LIST_CACHE_SECONDS
        if seconds <= 0 or not _is_visitor(request):
            return view(request, *args, **kwargs)
        key = page_key(request.get_full_path())
        cached = cache.get(key)
        # A stale copy is kept for as long again: when it expires under load, one request
        # renders the page anew while the others are served the stale copy (no stampede).
        if cached is not None and (
            cached[2] > time.time() or not cache.add(key + ":render", 1, timeout=30)
        ):
            template, content_type, _ = cached
            return HttpResponse(
                template.replace(PLACEHOLDER, get_token(request)), content_type=content_type
            )
        try:
            response = view(request, *args, **kwargs)
        finally:
            cache.delete(key + ":render")
        if response.status_code == 200 and not response.streaming:
            html = response.content.decode(response.charset)
            match = _TOKEN.search(html)
            token = match and (match.group(1) or match.group(2))
            template = html.replace(token, PLACEHOLDER) if token else html
            fresh_until = time.time() + seconds
            cache.set(key, (template, response["Content-Type"], fresh_until), seconds * 2)
        return response

    return wrapper
