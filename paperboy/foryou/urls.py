"""Foryou pages."""

from django.urls import path  # noqa: F401

app_name = "foryou"
urlpatterns: list = []
