"""Top-level URLs. Organization pages (``/<org>/papers``) come last so they never shadow."""

from django.contrib import admin
from django.urls import include, path

from paperboy.lib.views import health

urlpatterns = [
    path("health", health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("paperboy.papers.urls")),
    path("", include("paperboy.feed.urls")),
]
