"""Run the scheduler loop: every ``--interval`` seconds, enqueue the jobs that are due."""

import signal
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from paperboy.jobs.models import Heartbeat
from paperboy.jobs.scheduler import enqueue_due


class Command(BaseCommand):
    help = "Enqueue recurring jobs (paperboy/jobs/schedule.py) when they are due."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0)
        parser.add_argument("--once", action="store_true", help="Check once and exit.")

    def handle(self, *args, interval: float, once: bool, **options):
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while True:
            now = timezone.now()
            for name in enqueue_due(now):
                self.stdout.write(f"enqueued {name}")
            Heartbeat.beat("scheduler", now)  # what /health reports as the scheduler's last run
            if once:
                return
            slept = 0.0
            while slept < interval and not stopping:
                time.sleep(0.5)
                slept += 0.5
            if stopping:
                return
