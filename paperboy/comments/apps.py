from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "paperboy.comments"
    label = "comments"
