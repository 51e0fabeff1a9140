from django.urls import path

from paperboy.feed import views

app_name = "feed"
urlpatterns = [
    path("", views.home, name="home"),
    path("papers", views.daily, name="daily"),
    path("<slug:slug>/papers", views.org, name="org"),
]
