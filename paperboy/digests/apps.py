from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "paperboy.digests"
    label = "digests"
    verbose_name = "Email digests"
