"""``paperboy digests send`` and the sending run: once per subscriber and period, retries,
bounces, empty periods, dry runs, the "for you" section."""

import sys
import types
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from paperboy.digests import sending
from paperboy.digests.models import Delivery, Subscription
from paperboy.digests.tests.conftest import SEND_DAY, run_cli, subscribe
from paperboy.feed import votes
from paperboy.test import make_entry, make_paper, make_user

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
    real_compose = Composer.compose

    def compose(self, subscription):
        if subscription.email == "poison@example.org":
            raise RuntimeError("template exploded")
        return real_compose(self, subscription)

    monkeypatch.setattr(Composer, "compose", compose)
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


@pytest.fixture
def similar(monkeypatch):
    """Stands in for ``paperboy.search.similar.similar_papers``: every visible paper not
    excluded, in id order."""
    from paperboy.papers.models import Paper

    calls = []

    def similar_papers(paper_ids, *, k=10, exclude=frozenset()):
        calls.append((list(paper_ids), k, set(exclude)))
        return list(Paper.objects.exclude(pk__in=exclude).order_by("pk")[:k])

    module = types.ModuleType("paperboy.search.similar")
    module.similar_papers = similar_papers
    monkeypatch.setitem(sys.modules, "paperboy.search.similar", module)
    return calls


def test_members_with_enough_upvotes_get_a_for_you_section_never_repeated(
    smtp, papers, similar, settings, frozen
):
    settings.PAPERBOY_DIGEST_FOR_YOU_N = 2
    member = make_user("ada")
    catalog = [make_paper(title=f"Older paper {i}") for i in range(8)]
    for paper in catalog[:3]:
        votes.upvote(user_id=member.pk, paper_id=paper.pk)
    subscribe("ada@example.org", user=member)
    subscribe("anon@example.org")
    send_current()
    first = smtp.to("ada@example.org")[0].text()
    assert "FOR YOU" in first
    assert "Older paper 3" in first and "Older paper 4" in first
    assert "FOR YOU" not in smtp.to("anon@example.org")[0].text()
    upvoted_ids, k, exclude = similar[0]
    assert sorted(upvoted_ids) == sorted(p.pk for p in catalog[:3])
    assert {p.pk for p in papers} <= exclude  # nothing already in the trending section

    tomorrow = NOW + timedelta(days=1)
    make_entry(make_paper(title="Wednesday's paper"), tomorrow.date() - timedelta(days=1))
    with time_machine.travel(tomorrow, tick=False):
        send_current(tomorrow)
    second = smtp.to("ada@example.org")[1].text()
    assert "Older paper 5" in second and "Older paper 6" in second
    assert "Older paper 3" not in second and "Older paper 4" not in second


def test_members_with_too_few_upvotes_get_trending_only(smtp, papers, similar, frozen):
    member = make_user("ada")
    votes.upvote(user_id=member.pk, paper_id=papers[0].pk)
    subscribe("ada@example.org", user=member)
    send_current()
    assert "FOR YOU" not in smtp.messages[0].text()
    assert similar == []


def test_a_failing_similar_papers_does_not_lose_the_digest(smtp, papers, monkeypatch, frozen):
    def broken(paper_ids, *, k=10, exclude=frozenset()):
        raise RuntimeError("index not built")

    module = types.ModuleType("paperboy.search.similar")
    module.similar_papers = broken
    monkeypatch.setitem(sys.modules, "paperboy.search.similar", module)
    member = make_user("ada")
    for paper in papers:
        votes.upvote(user_id=member.pk, paper_id=paper.pk)
    subscribe("ada@example.org", user=member)
    assert send_current().sent == 1


def test_a_bad_argument_is_one_readable_line(capsys):
    from paperboy.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["digests", "send", "--period", "yesterday"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_for_you_with_the_search_apps_similar_papers(smtp, papers, frozen):
    """The real ``paperboy.search.similar.similar_papers`` (no vectors in tests: its lexical
    and category fallbacks), and nothing repeated from one digest to the next."""
    from paperboy.search.similar import similar_papers  # noqa: F401  (the real one is there)

    member = make_user("ada")
    catalog = [
        make_paper(title=f"Sparse attention for long documents, part {i}", categories=["cs.CL"])
        for i in range(12)
    ]
    for paper in catalog[:3]:
        votes.upvote(user_id=member.pk, paper_id=paper.pk)
    subscribe("ada@example.org", user=member)
    send_current()
    first = Delivery.objects.get()
    trending_ids = {p.pk for p in papers}
    for_you = [pk for pk in first.paper_ids if pk not in trending_ids]
    assert for_you, smtp.messages[0].text()
    assert "FOR YOU" in smtp.messages[0].text()
    assert not set(for_you) & {p.pk for p in catalog[:3]}  # never what they upvoted

    tomorrow = NOW + timedelta(days=1)
    make_entry(make_paper(title="Wednesday's paper"), tomorrow.date() - timedelta(days=1))
    with time_machine.travel(tomorrow, tick=False):
        send_current(tomorrow)
    second = Delivery.objects.exclude(pk=first.pk).get()
    assert not set(second.paper_ids) & set(first.paper_ids)


def test_members_get_the_periods_papers_from_what_they_follow(smtp, papers, settings, frozen):
    from paperboy.accounts.models import Follow, Organization

    settings.PAPERBOY_DIGEST_TOP_N = 1
    member = make_user("ada")  # no upvotes at all: follows are signal enough
    lab = Organization.objects.create(slug="followed-lab", name="Followed Lab")
    Follow.objects.create(user=member, organization=lab)
    followed = make_paper(title="From the lab ada follows", organization=lab)
    make_entry(followed, papers[0].daily.day)
    make_entry(make_paper(title="From a lab nobody follows"), papers[0].daily.day)
    subscribe("ada@example.org", user=member)

    send_current()

    text = smtp.to("ada@example.org")[0].text()
    assert "FOR YOU" in text and "From the lab ada follows" in text
    assert "From a lab nobody follows" not in text


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
