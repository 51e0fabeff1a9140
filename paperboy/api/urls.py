"""The token settings page. The API itself is mounted at ``/api/`` by paperboy/urls.py."""

from django.urls import path

from paperboy.api import views

app_name = "tokens"
urlpatterns = [
    path("settings/tokens", views.tokens, name="list"),
    path("settings/tokens/<int:pk>/revoke", views.revoke, name="revoke"),
]
