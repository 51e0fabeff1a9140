"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest

from paperboy.lib.query import MAX_QUERY_CHARS


def site(request: HttpRequest) -> dict:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "MAX_QUERY_CHARS": MAX_QUERY_CHARS,
    }
