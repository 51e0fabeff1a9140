"""An https site is configured for production from the environment alone: `paperboy manage
check --deploy` passes, cookies are secure, plain http is redirected behind the proxy, HSTS is
sent, and /health stays reachable over plain http from inside (container health checks)."""

import json
import os
import subprocess
import sys

import pytest

HTTPS_SITE = {
    "PAPERBOY_SITE_URL": "https://papers.example.org",
    "PAPERBOY_ALLOWED_HOSTS": "papers.example.org",
    "PAPERBOY_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "PAPERBOY_SMTP_URL": "smtp://mail.example.org:25",
}

PROBE = """
import json
from django.conf import settings
from django.test import Client
import os
plain = Client(HTTP_HOST="papers.example.org")
proxied = Client(HTTP_HOST="papers.example.org", HTTP_X_FORWARDED_PROTO="https")
page = plain.get(os.environ.get("PROBE_PAGE", "/papers"))
health, secure = plain.get("/health"), proxied.get("/health")
print(json.dumps({
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "page": [page.status_code, page.headers.get("Location")],
    "health": [health.status_code, health.headers.get("Strict-Transport-Security")],
    "secure": [secure.status_code, secure.headers.get("Strict-Transport-Security")],
}))
"""


def paperboy(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Run the paperboy command with only the given settings (none from this test run)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PAPERBOY_", "DJANGO_")) and k != "DATABASE_URL"
    }
    clean.update(PAPERBOY_DATA_DIR=str(tmp_path / "data"), **env)
    return subprocess.run(
        [sys.executable, "-m", "paperboy.cli", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_https_site_url_alone_passes_check_deploy(tmp_path):
    """A newcomer sets only the site's https address (the proxy's header is X-Forwarded-Proto
    by default then); before, check --deploy reported security.W008."""
    env = {k: v for k, v in HTTPS_SITE.items() if k != "PAPERBOY_PROXY_SSL_HEADER"}
    result = paperboy(tmp_path, "manage", "check", "--deploy", "--fail-level", "WARNING", **env)

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_check_deploy_passes_for_an_https_site_behind_a_proxy(tmp_path):
    result = paperboy(
        tmp_path, "manage", "check", "--deploy", "--fail-level", "WARNING", **HTTPS_SITE
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_an_https_site_redirects_plain_http_and_sends_hsts(tmp_path):
    result = paperboy(tmp_path, "manage", "shell", "-c", PROBE, **HTTPS_SITE)

    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["session_secure"] and probe["csrf_secure"]
    assert probe["page"] == [301, "https://papers.example.org/papers"]
    assert probe["health"] == [200, None]  # exempt from the redirect; no HSTS over http
    assert probe["secure"] == [200, "max-age=31536000; includeSubDomains"]


def test_a_plain_http_site_keeps_plain_cookies_and_no_redirect(tmp_path):
    result = paperboy(
        tmp_path,
        "manage",
        "shell",
        "-c",
        PROBE,
        PAPERBOY_ALLOWED_HOSTS="papers.example.org",
        # Any page but /health would need a migrated database and collected static files.
        PROBE_PAGE="/health",
    )

    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert not probe["session_secure"] and not probe["csrf_secure"]
    assert probe["page"] == probe["health"] == [200, None]
    assert probe["secure"] == [200, None]


@pytest.mark.parametrize(
    ("env", "warning"),
    [
        # Told there is no proxy header, Django cannot tell https requests apart: no redirect
        # (it would loop), and check --deploy says so.
        ({"PAPERBOY_PROXY_SSL_HEADER": "none"}, "security.W008"),
        ({"PAPERBOY_HSTS_SECONDS": "0"}, "security.W004"),
        ({"PAPERBOY_HSTS_PRELOAD": "true"}, "no issues"),
    ],
)
def test_check_deploy_reports_what_the_environment_leaves_out(tmp_path, env, warning):
    result = paperboy(
        tmp_path, "manage", "check", "--deploy", "--fail-level", "WARNING", **{**HTTPS_SITE, **env}
    )

    assert warning in result.stdout + result.stderr
