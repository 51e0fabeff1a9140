"""Digest subscription pages, under /digests/."""

from django.urls import path

from paperboy.digests import views

app_name = "digests"
urlpatterns = [
    path("subscribe", views.subscribe, name="subscribe"),
    path("confirm/<str:token>", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("manage/<str:token>", views.manage, name="manage"),
    path("settings", views.member_settings, name="settings"),
]
