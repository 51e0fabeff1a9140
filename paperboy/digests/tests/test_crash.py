"""A worker killed (SIGKILL) in the middle of a sending run, then restarted: every subscriber
gets exactly one digest."""

import signal
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from paperboy.digests.models import Delivery
from paperboy.digests.tests.conftest import SEND_DAY, run_cli, subscribe

NOW = datetime.combine(SEND_DAY, datetime.min.time(), tzinfo=UTC).replace(hour=9).isoformat()
LATER = (datetime.fromisoformat(NOW) + timedelta(minutes=16)).isoformat()
N = 12
KILL_AT = 5  # the worker dies while the server holds its 5th message


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_restarted_sends_every_digest_exactly_once(smtp, papers):
    for i in range(N):
        subscribe(f"u{i:02d}@example.org")
    smtp.hold_at = KILL_AT
    worker = run_cli(
        "digests", "send", "--period", "current", "--workers", "1", port=smtp.port,
        env={"PB_TEST_NOW": NOW}, wait=False,
    )  # fmt: skip
    assert smtp.holding.wait(timeout=60), worker.stderr.read() if worker.poll() else "no MAIL"
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    smtp.release.set()
    assert len(smtp.messages) == KILL_AT - 1
    statuses = Counter(Delivery.objects.values_list("status", flat=True))
    assert statuses["sent"] == KILL_AT - 1
    assert statuses["sending"] == N - (KILL_AT - 1)  # claimed by the dead worker

    # Restarted while the dead worker's lease still runs: nothing is sent twice, nothing yet.
    out = run_cli(
        "digests", "send", "--period", "current", port=smtp.port, env={"PB_TEST_NOW": NOW}
    )
    assert "sent 0" in out
    # Once the lease (PAPERBOY_DIGEST_LEASE_SECONDS, 15 minutes) has run out, the rest go
    # out, once each.
    out = run_cli(
        "digests", "send", "--period", "current", port=smtp.port, env={"PB_TEST_NOW": LATER}
    )
    assert f"sent {N - (KILL_AT - 1)}" in out
    received = Counter(r for m in smtp.messages for r in m.rcpt_tos)
    assert received == {f"u{i:02d}@example.org": 1 for i in range(N)}
    assert Delivery.objects.filter(status="sent").count() == N
