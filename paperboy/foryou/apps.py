from django.apps import AppConfig


class ForYouConfig(AppConfig):
    name = "paperboy.foryou"
    label = "foryou"
