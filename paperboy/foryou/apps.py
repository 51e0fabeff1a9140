"""For you: one recommendation model per member, learnt from upvotes, saves and
"not interested", explained; and alerts (issue 17)."""

from django.apps import AppConfig


class ForYouConfig(AppConfig):
    name = "paperboy.foryou"
    label = "foryou"

    def ready(self) -> None:
        # receivers import the models of the apps below, loaded once the registry is ready
        from paperboy.foryou import signals

        signals.connect()
