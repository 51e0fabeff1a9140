from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "paperboy.papers"
    label = "papers"
