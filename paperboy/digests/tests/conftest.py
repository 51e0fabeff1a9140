"""Fixtures for the digest tests: a real SMTP server (aiosmtpd) on 127.0.0.1, tasks run at once,
papers on a list, and a helper to run ``paperboy digests send`` in a child process."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import logging
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache

from paperboy.testing import make_entry, make_paper

RUN_CLI = Path(__file__).with_name("run_cli.py")


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()


class Handler:
    """Records every accepted message. ``rcpt_replies`` answers the next RCPT commands (e.g.
    ``["451 4.3.0 Try again later"]``); ``mail_reply`` answers every MAIL command while set
    (e.g. ``"553 5.7.1 Sender refused"``); ``hold_at`` makes the n-th MAIL wait until
    released, then refuse it with ``hold_reply`` (a 451), or accept it when that is None."""

    def __init__(self):
        self.messages: list[Received] = []
        self.rcpt_replies: list[str] = []
        self.mail_reply: str | None = None
        self.mails = 0
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.hold_reply: str | None = "451 4.3.0 Held by the test"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mails += 1
        if self.hold_at is not None and self.mails == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            if self.hold_reply:
                return self.hold_reply
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_replies:
            reply = self.rcpt_replies.pop(0)
            if not reply.startswith("250"):
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        received = Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        self.messages.append(received)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]


logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server; the default mailer points at it (pytest-django made it locmem)."""
    handler = Handler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    yield handler
    handler.release.set()
    controller.stop()


@pytest.fixture(autouse=True)
def _digest_settings(settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "mail"],
        }
    }
    settings.SITE_URL = "https://papers.example.org"
    cache.clear()  # rate-limit counters
    _forget_vectors()
    yield
    cache.clear()
    _forget_vectors()


def _forget_vectors() -> None:
    """For you keeps the window's vectors for a minute per process: each test has its own."""
    from paperboy.foryou import engine
    from paperboy.search import vectors

    engine.forget_windows()
    vectors.forget()


# The day the tests send on: Tuesday 2025-01-21, so the daily digest covers Monday 2025-01-20
# and the weekly one the week of 2025-01-13.
SEND_DAY = date(2025, 1, 21)
LIST_DAY = date(2025, 1, 20)


@pytest.fixture
def papers(db, example_lab):
    """Three papers on Monday's list with different upvotes (so trending order is known)."""
    made = []
    for i, (title, upvotes, cats) in enumerate(
        [
            ("Sparse Mixtures of Experts at Scale", 40, ["cs.LG"]),
            ("A Benchmark for Retrieval & Reasoning <in> Long Documents", 25, ["cs.CL"]),
            ("Diffusion Policies for Robot Grasping", 5, ["cs.RO"]),
        ]
    ):
        paper = make_paper(
            title=title,
            categories=cats,
            imported_upvotes=upvotes,
            ai_summary="One line about it." if i == 0 else "",
            organization=example_lab if i == 1 else None,
        )
        make_entry(paper, LIST_DAY)
        paper.refresh_from_db()
        made.append(paper)
    return made


def subscribe(email: str, *, frequency: str = "daily", user=None, **topics):
    """A confirmed subscription."""
    from django.utils import timezone

    from paperboy.digests.models import Subscription

    return Subscription.objects.create(
        email=email, frequency=frequency, user=user, confirmed_at=timezone.now(), **topics
    )


def run_cli(*args: str, port: int, env: dict | None = None, wait: bool = True):
    """``paperboy digests send …`` in a child process on the test database and SMTP server."""
    from django.db import connection

    db = connection.settings_dict
    config = {
        k: (str(v) if k == "NAME" else v)
        for k, v in db.items()
        if k in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
    }
    child_env = {
        **os.environ,
        "PB_TEST_DB": json.dumps(config),
        "PB_TEST_SMTP_PORT": str(port),
        "PAPERBOY_SITE_URL": "https://papers.example.org",
        **(env or {}),
    }
    proc = subprocess.Popen(
        [sys.executable, str(RUN_CLI), *args],
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if wait:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        return out
    return proc
