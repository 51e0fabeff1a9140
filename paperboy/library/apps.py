"""A member's library: saved papers (the reading list), collections, citations and
exports, imports from reference managers (issue 16)."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class LibraryConfig(AppConfig):
    name = "paperboy.library"
    label = "library"

    def ready(self) -> None:
        # apps.py is imported before the models are ready.
        from paperboy.accounts.models import Membership
        from paperboy.feed.models import Upvote
        from paperboy.library import receivers
        from paperboy.papers.signals import papers_imported

        papers_imported.connect(receivers.papers_imported, dispatch_uid="library-sort-keys")
        for model in (Upvote, Membership):
            for signal in (post_save, post_delete):
                signal.connect(
                    receivers.member_row_changed,
                    sender=model,
                    dispatch_uid=f"library-member-pages-{model.__name__}-{signal is post_save}",
                )

    def card_state(self, user, paper_ids: list[int]) -> dict:
        """Which of a page of cards the reader saved (``lib/cardstate.py``)."""
        # apps.py is imported before the models are ready.
        from paperboy.library import parts

        return parts.card_state(user, paper_ids)

    def card_part(self, name: str, paper_id: int, state: dict, page) -> str:
        """The "Save" toggle of a card for a member (``lib/cardstate.py``)."""
        # apps.py is imported before the models are ready.
        from paperboy.library import parts

        return parts.card_part(name, paper_id, state, page)
