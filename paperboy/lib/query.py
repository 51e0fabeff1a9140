"""The one limit on a search query, shared by every door a query comes through.

The search page and its header box, ``/api/papers/search``, ``/feeds/search.rss``, the
"search" alternate links and ``paperboy papers search`` all read ``MAX_QUERY_CHARS``; the
boxes carry it as ``maxlength``. The web page trims a longer query and says so; the API, the
feed and the CLI refuse it with a message naming the limit.

Why 500: a box with ``maxlength=500`` sends at most 500 UTF-16 code units, and the worst of
them (a character of the Basic Multilingual Plane outside ASCII) is 3 UTF-8 bytes, 9 once
percent-encoded: 4,500 bytes of ``q``, plus the path and the search page's filters (under
300 bytes). That fits gunicorn's request line when ``paperboy up`` raises it to
``REQUEST_LINE_BYTES`` (gunicorn's default, 4,094, answered a long query with a bare
"414 URI Too Long"). 500 characters is a paragraph: room to describe a paper in one's own
words.
"""

from __future__ import annotations

MAX_QUERY_CHARS = 500
# The request-line limit ``paperboy up`` gives gunicorn: its highest setting (0 would mean
# "unlimited"). A proxy in front must allow as much (nginx's large_client_header_buffers 8k).
REQUEST_LINE_BYTES = 8190


def trim_query(text: str) -> tuple[str, bool]:
    """``text`` cut to ``MAX_QUERY_CHARS`` characters (at a word boundary when one is near),
    and whether it was cut."""
    if len(text) <= MAX_QUERY_CHARS:
        return text, False
    cut = text[:MAX_QUERY_CHARS]
    space = cut.rfind(" ")
    if space > MAX_QUERY_CHARS - 40:
        cut = cut[:space]
    return cut.rstrip(), True
