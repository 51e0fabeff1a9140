from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "paperboy.feed"
    label = "feed"

    def card_state(self, user, paper_ids: list[int]) -> dict:
        """The reader's upvotes on a page of cards (``lib/cardstate.py``)."""
        # apps.py is imported before the models are ready.
        from paperboy.feed import parts

        return parts.card_state(user, paper_ids)

    def card_part(self, name: str, paper_id: int, state: dict, page) -> str:
        """The upvote button of a card for a member (``lib/cardstate.py``)."""
        # apps.py is imported before the models are ready.
        from paperboy.feed import parts

        return parts.card_part(name, paper_id, state, page)
