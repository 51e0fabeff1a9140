from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save


class AccountsConfig(AppConfig):
    name = "paperboy.accounts"
    label = "accounts"

    def ready(self) -> None:
        # apps.py is imported before the models are ready.
        from paperboy.accounts import signedin
        from paperboy.accounts.claims import claim_box_key
        from paperboy.lib import pagecache

        pagecache.share_part("accounts/claim_box.html#box", claim_box_key)
        for signal in (post_save, post_delete):
            signal.connect(
                signedin.user_changed, sender=get_user_model(), dispatch_uid=f"signedin-{signal}"
            )
