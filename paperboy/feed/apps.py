from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "paperboy.feed"
    label = "feed"
