from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "paperboy.ingest"
    label = "ingest"
