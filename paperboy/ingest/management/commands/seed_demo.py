"""Fill an empty database with the demo corpus (paperboy/demo)."""

from django.core.management.base import BaseCommand

from paperboy.ingest.demo import load_demo
from paperboy.papers.models import Paper


class Command(BaseCommand):
    help = "Load the demo papers, organizations and daily list into an empty database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load even if the database has papers."
        )

    def handle(self, *args, force: bool = False, **options):
        if not force and Paper.objects.exists():
            self.stdout.write("Database not empty; demo not loaded (use --force to load anyway).")
            return
        summary = load_demo(progress=options["verbosity"] > 0)
        for error in summary.bad_lines:
            self.stderr.write(f"Skipped demo {error}")
        self.stdout.write(self.style.SUCCESS(str(summary)))
