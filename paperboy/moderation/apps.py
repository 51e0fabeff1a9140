from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "paperboy.moderation"
    label = "moderation"
