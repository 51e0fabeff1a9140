"""Included before feed.urls and papers.urls: ``papers/<path:arxiv_id>`` would take
``papers/search`` for a paper id."""

from django.urls import path

from paperboy.search import views

app_name = "search"
urlpatterns = [
    path("papers/search", views.search, name="search"),
    path("papers/<path:arxiv_id>/similar", views.similar, name="similar"),
]
