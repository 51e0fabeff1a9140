from django.urls import path, re_path

from paperboy.papers import views

app_name = "papers"
urlpatterns = [
    # Before the detail route, whose <path:…> would swallow the ".md" (old-style ids hold a "/").
    re_path(r"^papers/(?P<arxiv_id>.+)\.md$", views.detail_markdown, name="markdown"),
    path("papers/<path:arxiv_id>", views.detail, name="detail"),
]
