"""Top-level URLs.

feed.urls comes before papers.urls so that ``/papers/trending``, ``/papers/date/…`` and the
upvote routes are matched before the paper page's ``papers/<path:arxiv_id>`` (old-style ids
such as ``hep-th/9901001`` contain a slash). Organization pages (``/<org>/papers``) match
only two-segment paths ending in ``/papers``, so they never shadow anything else.
"""

from django.contrib import admin
from django.urls import include, path

from paperboy.api.routes import api
from paperboy.feed import feeds as list_feeds
from paperboy.foryou import feeds as personal_feeds
from paperboy.jobs.views import health
from paperboy.search import feeds as search_feeds

# Every feed under one namespace ("feeds:daily-rss", "feeds:search-atom"…), each from its app.
feeds = (
    list_feeds.urlpatterns + search_feeds.urlpatterns + personal_feeds.urlpatterns,
    "feeds",
)

urlpatterns = [
    path("health", health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", api.urls),
    path("feeds/", include(feeds)),
    path("", include("paperboy.api.urls")),
    path("digests/", include("paperboy.digests.urls")),
    path("", include("paperboy.library.urls")),
    path("", include("paperboy.foryou.urls")),
    path("", include("paperboy.summaries.urls")),
    path("", include("paperboy.search.urls")),
    path("", include("paperboy.ingest.urls")),
    path("", include("paperboy.feed.urls")),
    path("", include("paperboy.comments.urls")),
    path("", include("paperboy.accounts.urls")),
    path("", include("paperboy.papers.urls")),
]
