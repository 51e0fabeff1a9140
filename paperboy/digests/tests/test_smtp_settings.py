"""PAPERBOY_SMTP_URL → Django's MAILERS (paperboy/settings.py ``_mailers``)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from paperboy.settings import _mailers


def options(url):
    config = _mailers(url)["default"]
    assert config["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    return config["OPTIONS"]


def test_no_url_prints_mail_to_the_console():
    assert _mailers("")["default"]["BACKEND"] == "paperboy.lib.mail.ConsoleEmailBackend"


def test_a_plain_url_gives_host_port_and_credentials():
    o = options("smtp://mailer:s3cret@mail.example.org:2525")
    assert (o["host"], o["port"], o["username"], o["password"]) == (
        "mail.example.org",
        2525,
        "mailer",
        "s3cret",
    )
    assert not o["use_ssl"] and not o["use_tls"]


def test_smtps_is_implicit_tls_on_465():
    o = options("smtps://u:p@mail.example.org")
    assert o["use_ssl"] and not o["use_tls"] and o["port"] == 465


def test_starttls_defaults_to_the_submission_port():
    o = options("smtp://u:p@mail.example.org?starttls=1")
    assert o["use_tls"] and not o["use_ssl"] and o["port"] == 587
    assert options("smtp://mail.example.org:25?starttls=true")["port"] == 25


def test_without_credentials_there_is_no_login():
    o = options("smtp://127.0.0.1:8025")
    assert (o["username"], o["password"], o["port"]) == ("", "", 8025)


def test_percent_encoded_credentials_are_decoded():
    o = options("smtp://me%40example.org:p%3Ass%2Fword@mail.example.org:587")
    assert (o["username"], o["password"]) == ("me@example.org", "p:ss/word")


@pytest.mark.parametrize(
    "url",
    [
        "http://mail.example.org",
        "smtp://",
        "smtp://mail.example.org:99999",
        "smtp://mail.example.org:port",
        "smtps://mail.example.org?starttls=1",
    ],
)
def test_a_bad_url_is_a_clear_configuration_error(url):
    with pytest.raises(ImproperlyConfigured, match="PAPERBOY_SMTP_URL"):
        _mailers(url)


@pytest.mark.django_db(transaction=True)
def test_the_command_sends_through_the_server_paperboy_smtp_url_names(smtp, papers):
    from paperboy.digests.tests.conftest import run_cli, subscribe

    subscribe("ada@example.org")
    out = run_cli(
        "digests", "send", "--period", "current", port=smtp.port,
        env={
            "PB_TEST_SMTP_PORT": "",
            "PAPERBOY_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
            "PB_TEST_NOW": "2025-01-21T09:00:00+00:00",
        },
    )  # fmt: skip
    assert "sent 1" in out
    assert [m.rcpt_tos for m in smtp.messages] == [["ada@example.org"]]
