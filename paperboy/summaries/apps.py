from django.apps import AppConfig


class SummariesConfig(AppConfig):
    name = "paperboy.summaries"
    label = "summaries"
