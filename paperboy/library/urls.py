"""Library pages: the reading list, the Save toggle, collections (a member's at
``u/<username>/collections/<slug>``, an organization's at ``<org>/collections/<slug>``) and their
feeds. Included before feed.urls and papers.urls, whose routes never end like these."""

from django.urls import path

from paperboy.library import feeds, views, views_io
from paperboy.papers.syndication import both

app_name = "library"


def _collection_routes(prefix: str, suffix: str) -> list:
    """The routes of one collection under ``prefix`` (a member's or an organization's)."""
    return [
        path(prefix, views.collection, name=f"{suffix}"),
        path(f"{prefix}/edit", views.collection_edit, name=f"{suffix}_edit"),
        path(f"{prefix}/delete", views.collection_delete, name=f"{suffix}_delete"),
        path(f"{prefix}/items", views.collection_add, name=f"{suffix}_add"),
        path(f"{prefix}/items/<int:pk>/<str:action>", views.collection_item, name=f"{suffix}_item"),
        *both(prefix, feeds.CollectionFeed, f"{suffix}_feed"),
    ]


urlpatterns = [
    path("library", views.reading_list, name="reading_list"),
    path("library/papers/<int:pk>/save", views.save, name="save"),
    path("library/papers/<int:pk>/unsave", views.unsave, name="unsave"),
    path("library/papers/<int:pk>/read", views.mark_read, name="read"),
    path("library/papers/<int:pk>/note", views.note, name="note"),
    path("library/papers/<int:pk>/collections", views.paper_collections, name="paper_collections"),
    path("collections", views.collections, name="collections"),
    path("collections/<str:owner>/<str:hub_slug>", views.hub_collection, name="hub_collection"),
    *_collection_routes("u/<str:username>/collections/<slug:slug>", "collection"),
    *_collection_routes("<slug:org>/collections/<slug:slug>", "org_collection"),
    path("<slug:org>/collections", views.org_collections, name="org_collections"),
    # Citations, import and exports (views_io.py).
    path("papers/<path:arxiv_id>/cite.<str:ext>", views_io.cite, name="cite"),
    path("library/import", views_io.import_page, name="import"),
    path("library/export.<str:ext>", views_io.export_reading_list, name="export"),
    path(
        "u/<str:username>/collections/<slug:slug>/export.<str:ext>",
        views_io.export_collection,
        name="collection_export",
    ),
    path(
        "<slug:org>/collections/<slug:slug>/export.<str:ext>",
        views_io.export_collection,
        name="org_collection_export",
    ),
    path("papers/date/<str:day>/export.<str:ext>", views_io.export_day, name="export_day"),
    path("papers/week/<str:week>/export.<str:ext>", views_io.export_week, name="export_week"),
    path("papers/month/<str:month>/export.<str:ext>", views_io.export_month, name="export_month"),
    path("papers/search/export.<str:ext>", views_io.export_search, name="export_search"),
]
