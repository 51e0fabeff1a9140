"""For you, onboarding and alerts. Mounted before feed.urls, so ``home`` here answers ``/``
(For you for members with signals, else the daily list) and feed's own ``/`` is the fallback."""

from django.urls import path

from paperboy.foryou import views

app_name = "foryou"
urlpatterns = [
    path("", views.home, name="home"),
    path("for-you", views.page, name="page"),
    path("for-you/start", views.start, name="start"),
    path("for-you/home", views.set_home, name="set_home"),
    path("for-you/reset", views.reset, name="reset"),
    path("for-you/fewer", views.fewer, name="fewer"),
    path("for-you/fewer/<int:pk>/undo", views.unmute, name="unmute"),
    path("for-you/not-interested/<path:arxiv_id>/undo", views.undo_not_interested, name="undo"),
    path("for-you/not-interested/<path:arxiv_id>", views.not_interested, name="not_interested"),
    path("alerts", views.alert_list, name="alerts"),
    path("alerts/searches/<int:pk>/delete", views.delete_search, name="delete_search"),
]
