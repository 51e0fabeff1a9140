"""Summaries pages."""

from django.urls import path  # noqa: F401

app_name = "summaries"
urlpatterns: list = []
