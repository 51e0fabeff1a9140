from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "paperboy.library"
    label = "library"
