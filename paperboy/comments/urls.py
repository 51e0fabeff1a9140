"""Comment routes. Included before papers.urls, whose ``papers/<path:…>`` would swallow them."""

from django.urls import path

from paperboy.comments import views

app_name = "comments"
urlpatterns = [
    path("papers/<path:arxiv_id>/comments", views.post, name="post"),
    path("comments/<int:pk>/edit", views.edit, name="edit"),
    path("comments/<int:pk>/delete", views.delete, name="delete"),
    path("comments/<int:pk>/report", views.report, name="report"),
]
