"""List pages and upvotes. Included before papers.urls: its ``papers/<path:…>``
detail route would otherwise swallow ``papers/trending`` and friends."""

from django.urls import path

from paperboy.feed import views

app_name = "feed"
urlpatterns = [
    path("", views.home, name="home"),
    path("papers", views.daily, name="daily"),
    path("papers/date/<str:day>", views.by_date, name="date"),
    path("papers/week/<str:week>", views.by_week, name="week"),
    path("papers/month/<str:month>", views.by_month, name="month"),
    path("papers/trending", views.trending, name="trending"),
    path("papers/<path:arxiv_id>/upvote", views.upvote, name="upvote"),
    path("papers/<path:arxiv_id>/unvote", views.unvote, name="unvote"),
    path("<slug:slug>/papers", views.org, name="org"),
    path("following", views.following, name="following"),
    path("authors/<int:pk>", views.author, name="author"),
]
