"""The whole API, in order: the core routes (``api.py``), the routes of the library, for-you
and summaries apps (a module each), then the JSON 404 for anything else, which must come last
because a route added after it would never be reached. ``paperboy/urls.py`` mounts this."""

from django.http import Http404

from paperboy.api import foryou, library, summaries  # noqa: F401  (each adds its routes)
from paperboy.api.api import api

__all__ = ["api"]


@api.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{anypath:rest}", include_in_schema=False
)
def not_found(request, rest: str):
    """Anything else under /api/ is a JSON 404, not the site's HTML page."""
    raise Http404(f"There is no API endpoint /api/{rest[:100]}.")
