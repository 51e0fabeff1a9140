from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "paperboy.api"
    label = "api"
    verbose_name = "API"
