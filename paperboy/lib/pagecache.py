"""Whole-page caching for visitors: one rendering serves every reader without a session.

A list or paper page for a visitor (no session cookie, no pending messages) is the same for
everyone except its CSRF token, which the header's subscribe form needs. The cached copy keeps
a placeholder where the token was; each response gets the visitor's own token put back, and
the CSRF middleware sets the cookie as usual. Members, and anything that is not a plain GET,
bypass the cache. ``PAPERBOY_LIST_CACHE_SECONDS`` bounds how stale a visitor's page can be.
"""

import hashlib
import re
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


def cache_for_visitors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        seconds = settings.PAPERBOY_LIST_CACHE_SECONDS
        if seconds <= 0 or not _is_visitor(request):
            return view(request, *args, **kwargs)
        path = request.get_full_path().encode()
        key = "page:" + hashlib.sha256(path).hexdigest()
        cached = cache.get(key)
        if cached is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            html = response.content.decode(response.charset)
            match = _TOKEN.search(html)
            template = (
                html.replace(match.group(1) or match.group(2), PLACEHOLDER) if match else html
            )
            cache.set(key, (template, response["Content-Type"]), seconds)
            return response
        template, content_type = cached
        return HttpResponse(
            template.replace(PLACEHOLDER, get_token(request)), content_type=content_type
        )

    return wrapper
