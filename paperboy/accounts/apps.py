from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "paperboy.accounts"
    label = "accounts"

    def ready(self) -> None:
        # apps.py is imported before the models are ready.
        from paperboy.accounts.claims import claim_box_key
        from paperboy.lib import pagecache

        pagecache.share_part("accounts/claim_box.html#box", claim_box_key)
