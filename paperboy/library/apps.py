"""A member's library: saved papers (the reading list), collections, citations and
exports, imports from reference managers (issue 16)."""

from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "paperboy.library"
    label = "library"

    def ready(self) -> None:
        # apps.py is imported before the models are ready.
        from paperboy.library import receivers
        from paperboy.papers.signals import papers_imported

        papers_imported.connect(receivers.papers_imported, dispatch_uid="library-sort-keys")

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
