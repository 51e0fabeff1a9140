"""Without SMTP, mail is printed to the console decoded: headers readable, links whole."""

import re

import pytest
from django.core import mail

from paperboy.settings import _mailers


@pytest.fixture
def console(settings):
    """The mailers settings.py gives when PAPERBOY_SMTP_URL is unset (pytest-django made
    them locmem)."""
    settings.MAILERS = _mailers("")


def test_a_confirmation_mail_is_printed_with_its_link_whole(console, db, capsys, settings):
    from paperboy.digests import emails, subscribing, tokens

    settings.SITE_NAME = "Zoë's Papers"
    subscription, _ = subscribing.request(email="ada@example.org", frequency="daily")
    emails.send(emails.confirmation(subscription))

    printed = capsys.readouterr().out
    assert "Subject: Confirm your Zoë's Papers digest subscription\n" in printed
    assert "To: ada@example.org\n" in printed
    # The link on a line of its own, whole: it opens the confirmation.
    [link] = re.findall(r"^http://127\.0\.0\.1:8000/digests/confirm/(\S+)$", printed, re.M)
    assert len(link) > 76  # longer than a quoted-printable line: it was split with "="
    assert tokens.read(tokens.CONFIRM, link) == subscription
    assert "=\n" not in printed and "=3D" not in printed and "=?utf-8?" not in printed
    assert "Content-Transfer-Encoding" not in printed
    assert "[text/html part not shown]" in printed
    assert printed.endswith("-" * 79 + "\n")


def test_other_parts_are_named_and_a_mail_without_text_shows_its_html(console, capsys):
    message = mail.EmailMessage("Report", "See the file: é" * 20, to=["bo@example.org"])
    message.attach("papers.csv", "id\n2501.00001\n", "text/csv")
    message.send()
    html_only = mail.EmailMessage("Page", "<p>Only HTML</p>", to=["bo@example.org"])
    html_only.content_subtype = "html"
    html_only.send()

    printed = capsys.readouterr().out
    assert "See the file: é" * 20 in printed
    assert "[text/csv part 'papers.csv' not shown]" in printed
    assert "2501.00001" not in printed
    assert "Subject: Page\n" in printed and "\n<p>Only HTML</p>\n" in printed
