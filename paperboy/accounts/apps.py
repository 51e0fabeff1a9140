from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "paperboy.accounts"
    label = "accounts"
