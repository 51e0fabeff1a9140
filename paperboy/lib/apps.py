from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "paperboy.lib"
    label = "lib"
