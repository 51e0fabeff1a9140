"""``paperboy digests send`` and the sending run: once per subscriber and period, retries,
bounces, empty periods, dry runs, the "for you" section."""

import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import time_machine

from paperboy.digests import sending
from paperboy.digests.models import Delivery, Subscription
from paperboy.digests.tests.conftest import LIST_DAY, SEND_DAY, run_cli, subscribe
from paperboy.feed import votes
from paperboy.testing import make_entry, make_paper, make_user

NOW = datetime.combine(SEND_DAY, datetime.min.time(), tzinfo=UTC).replace(hour=9)
CHILD_NOW = NOW.isoformat()


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def send_current(now=NOW):
    return sending.send(sending.current_periods(now), now=now)


def per_recipient(smtp) -> Counter:
    return Counter(r for m in smtp.messages for r in m.rcpt_tos)


def test_sending_twice_sends_each_digest_once(smtp, papers, frozen):
    for i in range(5):
        subscribe(f"u{i}@example.org")
    subscribe("weekly@example.org", frequency="weekly")
    first, second = send_current(), send_current()
    assert first.sent == 5 + 0  # the weekly period (week of Jan 13) has no papers: skipped
    assert first.skipped == 1
    assert second.sent == second.skipped == 0
    assert per_recipient(smtp) == {f"u{i}@example.org": 1 for i in range(5)}


def test_unconfirmed_unsubscribed_and_bounced_addresses_get_nothing(smtp, papers, frozen):
    Subscription.objects.create(email="pending@example.org")
    subscribe("gone@example.org").unsubscribe()
    subscribe("bounced@example.org").mark_bounced("550 no such user")
    subscribe("ok@example.org")
    send_current()
    assert list(per_recipient(smtp)) == ["ok@example.org"]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_workers_send_each_digest_once(smtp, papers):
    for i in range(40):
        subscribe(f"u{i:02d}@example.org")
    env = {"PB_TEST_NOW": CHILD_NOW}
    procs = [
        run_cli("digests", "send", "--period", "current", port=smtp.port, env=env, wait=False)
        for _ in range(2)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert per_recipient(smtp) == {f"u{i:02d}@example.org": 1 for i in range(40)}
    assert Delivery.objects.filter(status="sent").count() == 40
    out = run_cli("digests", "send", "--period", "current", port=smtp.port, env=env)
    assert "sent 0" in out
    assert len(smtp.messages) == 40


@pytest.mark.django_db(transaction=True)
def test_workers_send_side_by_side_and_each_digest_once(smtp, papers):
    for i in range(40):
        subscribe(f"u{i:02d}@example.org")
    # The server holds the first message; while that worker waits, the other one sends.
    smtp.hold_at, smtp.hold_reply = 1, None
    proc = run_cli(
        "digests", "send", "--period", "current", "--workers", "2", port=smtp.port,
        env={"PB_TEST_NOW": CHILD_NOW, "PAPERBOY_DIGEST_BATCH_SIZE": "5"}, wait=False,
    )  # fmt: skip
    assert smtp.holding.wait(timeout=60), proc.communicate()
    waited = 0.0
    while len(smtp.messages) < 5 and waited < 60 and proc.poll() is None:
        time.sleep(0.1)
        waited += 0.1
    held_back = len(smtp.messages)
    smtp.release.set()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert held_back >= 5, "the second worker did not send while the first one waited"
    assert "sent 40, to retry 0" in out
    assert per_recipient(smtp) == {f"u{i:02d}@example.org": 1 for i in range(40)}
    assert Delivery.objects.values("claimed_by").distinct().count() == 2


@pytest.mark.parametrize("workers", ["0", "two", "65"])
def test_a_bad_number_of_workers_is_one_readable_line(capsys, workers):
    from paperboy.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["digests", "send", "--workers", workers])
    assert exc.value.code == 2
    assert "argument --workers" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_the_command_sends_only_what_is_due(smtp, papers):
    subscribe("ada@example.org")
    before_eight = {"PB_TEST_NOW": NOW.replace(hour=7).isoformat()}
    out = run_cli("digests", "send", port=smtp.port, env=before_eight)
    # Before 08:00 only the weekly digest (due since Monday) is: its week had no papers.
    assert "daily" not in out and "weekly:2025-01-13" in out and smtp.messages == []
    out = run_cli("digests", "send", port=smtp.port, env={"PB_TEST_NOW": CHILD_NOW})
    assert "daily:2025-01-20" in out and "sent 1" in out
    assert len(smtp.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_prints_and_writes_nothing(smtp, papers):
    subscribe("ada@example.org")
    subscribe("bob@example.org", categories=["math.PR"])
    out = run_cli(
        "digests", "send", "--period", "current", "--dry-run", port=smtp.port,
        env={"PB_TEST_NOW": CHILD_NOW},
    )  # fmt: skip
    assert "daily:2025-01-20 ada@example.org: 3 trending, 0 for you" in out
    assert "daily:2025-01-20 bob@example.org: nothing to send" in out
    assert smtp.messages == []
    assert not Delivery.objects.exists()


def test_an_empty_period_sends_nothing_unless_configured(smtp, db, settings, frozen):
    subscribe("ada@example.org")
    assert send_current().sent == 0
    assert smtp.messages == []
    settings.PAPERBOY_DIGEST_SEND_EMPTY = True
    Delivery.objects.all().delete()
    assert send_current().sent == 1
    assert "No trending papers in this period." in smtp.messages[0].text()


def test_a_temporary_failure_is_retried_after_the_backoff(smtp, papers, settings, frozen):
    sub = subscribe("ada@example.org")
    smtp.rcpt_replies = ["451 4.3.0 Mailbox busy, try later"]
    report = send_current()
    assert report.retry == 1 and smtp.messages == []
    delivery = Delivery.objects.get()
    assert delivery.status == "retry" and delivery.attempts == 1
    assert delivery.last_error.startswith("451")
    assert delivery.next_attempt_at == NOW + timedelta(
        seconds=settings.PAPERBOY_DIGEST_RETRY_SECONDS
    )
    # Not before the backoff runs out…
    assert sending.run(now=NOW + timedelta(seconds=10)).sent == 0
    # …then once.
    later = NOW + timedelta(seconds=settings.PAPERBOY_DIGEST_RETRY_SECONDS + 1)
    assert sending.run(now=later).sent == 1
    assert sending.run(now=later + timedelta(hours=1)).sent == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert per_recipient(smtp) == {"ada@example.org": 1}
    sub.refresh_from_db()
    assert sub.is_active


def test_a_delivery_fails_after_the_last_attempt(smtp, papers, settings, frozen):
    settings.PAPERBOY_DIGEST_MAX_ATTEMPTS = 2
    subscribe("ada@example.org")
    smtp.rcpt_replies = ["451 busy", "451 busy"]
    send_current()
    sending.run(now=NOW + timedelta(days=1))
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert sending.run(now=NOW + timedelta(days=2)).sent == 0


def test_a_permanent_failure_stops_mail_to_that_address(smtp, papers, frozen):
    bad = subscribe("nobody@example.org")
    subscribe("ok@example.org")
    smtp.rcpt_replies = ["550 5.1.1 No such user"]  # the first RCPT: nobody@, sent first
    report = send_current()
    assert (report.sent, report.failed) == (1, 1)
    bad.refresh_from_db()
    assert bad.bounced_at is not None and "550" in bad.bounce_reason
    assert Delivery.objects.get(subscription=bad).status == "failed"
    # The next period skips the bounced address altogether.
    tomorrow = NOW + timedelta(days=1)
    make_entry(make_paper(title="Wednesday's paper"), tomorrow.date() - timedelta(days=1))
    with time_machine.travel(tomorrow, tick=False):
        send_current(tomorrow)
    assert per_recipient(smtp) == {"ok@example.org": 2}


def test_a_refused_sender_bounces_nobody_and_stops_the_run(smtp, papers, settings, frozen):
    """A 5xx about the sender (a wrong From, a missing login) is not about the subscribers:
    nobody is marked bounced, the run stops after three failures in a row, and everything is
    sent once the server accepts again."""
    for i in range(5):
        subscribe(f"u{i}@example.org")
    smtp.mail_reply = "553 5.7.1 Sender address rejected: not owned by user"
    report = send_current()
    assert report.stopped and report.sent == 0 and report.retry == 5
    assert "553" in report.last_error
    assert not Subscription.objects.filter(bounced_at__isnull=False).exists()
    rows = Delivery.objects.order_by("pk")
    assert [r.status for r in rows] == ["retry"] * 5
    assert [r.attempts for r in rows] == [1, 1, 1, 0, 0]  # the last two were not tried
    assert rows[4].last_error.startswith("not tried: 553")

    smtp.mail_reply = None
    later = NOW + timedelta(seconds=settings.PAPERBOY_DIGEST_RETRY_SECONDS + 1)
    assert sending.run(now=later).sent == 5
    assert per_recipient(smtp) == {f"u{i}@example.org": 1 for i in range(5)}


def test_a_digest_that_cannot_be_composed_is_retried_and_the_run_goes_on(
    smtp, papers, monkeypatch, frozen
):
    from paperboy.digests.compose import Composer

    for email in ("a@example.org", "poison@example.org", "c@example.org"):
        subscribe(email)
    real_trending = Composer.trending

    def trending(self, subscription):
        if subscription.email == "poison@example.org":
            raise RuntimeError("template exploded")
        return real_trending(self, subscription)

    # The batch cannot be composed together, so each digest is composed on its own.
    monkeypatch.setattr(Composer, "trending", trending)
    report = send_current()
    assert (report.sent, report.retry, report.stopped) == (2, 1, False)
    poison = Delivery.objects.get(subscription__email="poison@example.org")
    assert poison.status == "retry" and "template exploded" in poison.last_error
    assert list(per_recipient(smtp)) == ["a@example.org", "c@example.org"]


def test_a_dropped_connection_is_retried_and_the_run_goes_on(smtp, papers, frozen, monkeypatch):
    for i in range(3):
        subscribe(f"u{i}@example.org")
    from paperboy.digests import emails

    real_send, calls = emails.send, []

    def flaky(message, connection=None):
        calls.append(message.to)
        if len(calls) == 2:
            raise ConnectionResetError("connection reset by peer")
        return real_send(message, connection=connection)

    monkeypatch.setattr(emails, "send", flaky)
    report = send_current()
    assert (report.sent, report.retry) == (2, 1)
    assert len(smtp.messages) == 2


def test_a_slow_run_keeps_its_claim_so_another_run_never_resends(
    smtp, papers, settings, monkeypatch
):
    """A mail server so slow that a batch outlasts the lease: the run renews its lease as it
    goes, so the scheduler's next run (which takes over rows of dead runs) finds nothing."""
    from django.utils import timezone

    from paperboy.digests import emails

    settings.PAPERBOY_DIGEST_LEASE_SECONDS = 900
    for i in range(6):
        subscribe(f"u{i}@example.org")
    real_send, taken_over = emails.send, []
    with time_machine.travel(NOW, tick=False) as clock:

        def slow(message, connection=None):
            real_send(message, connection=connection)
            clock.shift(timedelta(seconds=400))  # 400 s a message: 6 of them outlast 900 s
            taken_over.extend(sending.claim(worker="next-run", now=timezone.now(), size=100))

        monkeypatch.setattr(emails, "send", slow)
        report = sending.send(sending.current_periods(NOW))
    assert taken_over == []
    assert report.sent == 6
    assert Counter(Delivery.objects.values_list("status", flat=True)) == {"sent": 6}
    assert per_recipient(smtp) == {f"u{i}@example.org": 1 for i in range(6)}


def test_a_worker_beaten_to_its_whole_batch_claims_the_next_one_instead_of_stopping(
    papers, frozen, monkeypatch
):
    """Two workers read the same first candidates; the one that loses them all at the UPDATE
    must look again (it used to take the empty claim for "nothing left" and quit)."""
    from paperboy.digests.models import DeliveryQuerySet

    for i in range(6):
        subscribe(f"u{i}@example.org")
    for period in sending.current_periods(NOW):
        sending.plan(period)
    real_update, raced = DeliveryQuerySet.update, []

    def update_after_a_rival(self, **kwargs):
        if kwargs.get("claimed_by") == "slow" and not raced:
            raced.append(sending.claim(worker="quick", now=NOW, size=3))
        return real_update(self, **kwargs)

    monkeypatch.setattr(DeliveryQuerySet, "update", update_after_a_rival)
    slow = sending.claim(worker="slow", now=NOW, size=3)
    quick = raced[0]
    assert len(quick) == 3
    assert len(slow) == 3
    assert not {d.pk for d in slow} & {d.pk for d in quick}
    assert sending.claim(worker="third", now=NOW, size=3) == []


def unit(*weights: float) -> np.ndarray:
    """A 384-d unit vector (the default model's size) with these leading components."""
    vector = np.zeros(384, dtype=np.float32)
    vector[: len(weights)] = weights
    return vector / np.linalg.norm(vector)


def store_vectors(vectors_by_paper: dict) -> None:
    from paperboy.search import vectors
    from paperboy.search.embeddings import configured_model_id

    vectors.store(configured_model_id(), {p.pk: v for p, v in vectors_by_paper.items()})


@pytest.fixture
def nearby(papers):
    """Monday's list beside the three trending papers: papers ever farther from "sparse
    attention" (the direction of what the member upvoted), and one on another topic."""
    made = {
        name: make_paper(title=name)
        for name in ("Near 1", "Near 2", "Near 3", "Near 4", "Far away")
    }
    for paper in made.values():
        make_entry(paper, LIST_DAY)
    store_vectors(
        {
            made["Near 1"]: unit(1, 0.1),
            made["Near 2"]: unit(1, 0.3),
            made["Near 3"]: unit(1, 0.6),
            made["Near 4"]: unit(1, 1.0),
            made["Far away"]: unit(0, 1),
            # The trending papers are the closest of all: already in the digest, never repeated.
            **{p: unit(1) for p in papers},
        }
    )
    return made


def upvoting_member(n_upvotes: int = 3, username: str = "ada"):
    """A member who upvoted ``n_upvotes`` older papers about sparse attention (not on the list)."""
    member = make_user(username)
    upvoted = [make_paper(title=f"Sparse attention, older paper {i}") for i in range(n_upvotes)]
    store_vectors({p: unit(1, 0.05 * i) for i, p in enumerate(upvoted)})
    for paper in upvoted:
        votes.upvote(user_id=member.pk, paper_id=paper.pk)
    return member, upvoted


def test_members_with_enough_upvotes_get_the_periods_papers_nearest_to_them_never_repeated(
    smtp, papers, nearby, settings, frozen
):
    settings.PAPERBOY_DIGEST_FOR_YOU_N = 2
    settings.PAPERBOY_DIGEST_TOP_N = 3
    member, upvoted = upvoting_member()
    sub = subscribe("ada@example.org", user=member)
    subscribe("anon@example.org")
    send_current()
    first = smtp.to("ada@example.org")[0].text()
    for_you = first.split("FOR YOU", 1)[1]
    assert for_you.index("Near 1") < for_you.index("Near 2")
    assert "Near 3" not in for_you and "Far away" not in for_you
    assert not any(p.title in for_you for p in papers)  # already in the trending section
    assert "FOR YOU" not in smtp.to("anon@example.org")[0].text()
    first_ids = Delivery.objects.get(subscription=sub).paper_ids
    assert first_ids == [*(p.pk for p in papers), nearby["Near 1"].pk, nearby["Near 2"].pk]

    # Switched to weekly, the member gets the week of Monday's list: the same trending papers,
    # and for-you goes on with the next nearest ones.
    sub.frequency = "weekly"
    sub.save()
    next_monday = NOW + timedelta(days=6)
    with time_machine.travel(next_monday, tick=False):
        send_current(next_monday)
    second = smtp.to("ada@example.org")[1].text()
    assert "weekly" in second
    for_you = second.split("FOR YOU", 1)[1]
    assert "Near 3" in for_you and "Near 4" in for_you
    assert "Near 1" not in for_you and "Near 2" not in for_you
    assert not any(p.title in for_you for p in upvoted)  # never what they upvoted


def test_a_failing_recommender_does_not_lose_the_digest(smtp, papers, nearby, monkeypatch, frozen):
    from paperboy.foryou import engine

    def broken(*args, **kwargs):
        raise RuntimeError("index not built")

    monkeypatch.setattr(engine, "recommend_many", broken)
    member, _ = upvoting_member()
    subscribe("ada@example.org", user=member)
    assert send_current().sent == 1
    assert "FOR YOU" not in smtp.messages[0].text()


def test_a_dry_run_lists_the_for_you_section_too(smtp, papers, nearby, settings, frozen):
    settings.PAPERBOY_DIGEST_FOR_YOU_N = 2
    settings.PAPERBOY_DIGEST_TOP_N = 3
    member, _ = upvoting_member()
    subscribe("ada@example.org", user=member)
    report = sending.dry_run(sending.current_periods(NOW)[0])
    assert report.lines == ["daily:2025-01-20 ada@example.org: 3 trending, 2 for you"]
    assert not Delivery.objects.exists()


def test_a_bad_argument_is_one_readable_line(capsys):
    from paperboy.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["digests", "send", "--period", "yesterday"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_members_get_the_periods_papers_from_what_they_follow(smtp, papers, settings, frozen):
    from paperboy.accounts.models import Follow
    from paperboy.papers.models import Organization

    settings.PAPERBOY_DIGEST_TOP_N = 1
    member = make_user("ada")  # no upvotes at all: follows are signal enough
    lab = Organization.objects.create(slug="followed-lab", name="Followed Lab")
    Follow.objects.create(user=member, organization=lab)
    followed = make_paper(title="From the lab ada follows", organization=lab)
    make_entry(followed, papers[0].daily.day)
    other = make_paper(title="From a lab nobody follows")
    make_entry(other, papers[0].daily.day)
    store_vectors({p: unit(1, i) for i, p in enumerate([*papers, followed, other])})
    subscribe("ada@example.org", user=member)

    send_current()

    text = smtp.to("ada@example.org")[0].text()
    # For you is the member's model (issue 17): the followed lab's paper comes first, with its
    # reason; other papers may follow it, below.
    for_you = text.split("FOR YOU", 1)[1]
    assert for_you.index("From the lab ada follows") < for_you.index("From a lab nobody follows")
    assert "1. From the lab ada follows" in for_you


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_does_not_answer_is_one_readable_line_and_exit_code_1(papers):
    from paperboy.digests.tests.conftest import _free_port

    subscribe("ada@example.org")
    proc = run_cli(
        "digests", "send", "--period", "current", port=_free_port(),
        env={"PB_TEST_NOW": CHILD_NOW}, wait=False,
    )  # fmt: skip
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in err
    assert "Last mail server error:" in err and "refused" in err.lower()
    assert "sent 0, to retry 1" in out
    assert "1 waiting for a retry, the next at 2025-01-21 09:05" in out
    assert Delivery.objects.get().status == "retry"


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_without_subscribers_says_so(smtp, papers):
    out = run_cli(
        "digests", "send", "--period", "current", "--dry-run", port=smtp.port,
        env={"PB_TEST_NOW": CHILD_NOW},
    )  # fmt: skip
    assert "daily:2025-01-20: no confirmed daily subscriber is waiting for it" in out
