"""Background tasks of the digests: confirmation emails and the scheduled sending runs.

Tasks take ids (or nothing) and are enqueued in ``transaction.on_commit``; the sending runs are
idempotent (see ``sending.py``), so the scheduler may enqueue them as often as it likes.
"""

from django.tasks import task
from django.utils import timezone

from paperboy.digests import emails, periods, sending
from paperboy.digests.models import Subscription


# On the "mail" queue, which a worker of its own runs: a confirmation never waits behind an
# import's embedding tasks or an offline ingest run (README: "Process model and queues").
@task(queue_name="mail")
def send_confirmation(subscription_id: int) -> bool:
    sub = Subscription.objects.filter(pk=subscription_id).first()
    if sub is None or sub.is_active:
        return False
    emails.send(emails.confirmation(sub))
    return True


@task
def send_daily_digests() -> str:
    today = timezone.localdate()
    return str(sending.send([periods.current(periods.DAILY, today)]))


@task
def send_weekly_digests() -> str:
    today = timezone.localdate()
    return str(sending.send([periods.current(periods.WEEKLY, today)]))


@task
def retry_digests() -> str:
    """Retries whose backoff ran out, and rows a dead worker left behind."""
    return str(sending.run())
