"""The submit page. Included before papers.urls, whose ``papers/<path:…>`` paper page would
otherwise take ``papers/submit``."""

from django.urls import path

from paperboy.ingest import views

app_name = "ingest"
urlpatterns = [path("papers/submit", views.submit, name="submit")]
