from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "paperboy.jobs"
    label = "jobs"
    verbose_name = "recurring jobs"
