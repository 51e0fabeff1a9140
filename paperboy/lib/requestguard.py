"""Refusing, at the door, requests that carry text no database can store.

A NUL character (PostgreSQL refuses it, SQLite would store it) or a lone surrogate in the path,
the query string or a form field gets a 400 before any view runs, on every page and every
endpoint, including those written later. JSON bodies are checked by the API's schemas
(``api/api.py``, ``Input``) and free text by ``lib.text.clean_input``; both say the same.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from paperboy.lib.text import unstorable

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _first_bad(request: HttpRequest) -> tuple[str, str]:
    """(where, what) of the first unstorable text in the request, or ("", "")."""
    what = unstorable(request.path)
    if what:
        return "The address", what
    for where, data in [("A query parameter", request.GET), ("A form field", None)]:
        if data is None:
            if request.method != "POST" or request.content_type not in FORM_TYPES:
                continue
            data = request.POST
        for key, values in data.lists():
            for value in (key, *values):
                what = unstorable(value)
                if what:
                    return where, what
    return "", ""


class RefuseUnstorableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where, what = _first_bad(request)
        if not where:
            return self.get_response(request)
        message = f"{where} contains {what}, which cannot be stored; remove it."
        if request.path.startswith("/api/"):
            return JsonResponse({"error": message}, status=400)
        # The site's own error page (400.html), never a bare line of text. The request is
        # refused before sessions and auth, so the page is rendered as for a visitor.
        return render(request, "400.html", {"message": message}, status=400)
