"""Rescore every daily entry, e.g. after changing the PAPERBOY_TRENDING_* weights."""

from django.core.management.base import BaseCommand

from paperboy.feed.votes import recompute_all_trending


class Command(BaseCommand):
    help = "Recompute the trending score of every daily entry."

    def handle(self, *args, **options):
        count = recompute_all_trending()
        self.stdout.write(f"Rescored {count} daily entries.")
