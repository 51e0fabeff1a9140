"""Read every kind of page from a database that ``test_upgrade.py`` migrated forward.

Run by that test in a subprocess of the current code, against the database named by the
environment (``PAPERBOY_DATA_DIR`` for SQLite, ``DATABASE_URL`` for PostgreSQL)::

    python -m paperboy.lib.tests.upgrade_pages MEMBER API_TOKEN FEED_TOKEN ADMIN

as a visitor, then signed in as ``MEMBER`` (who upvoted, followed, claimed and commented under
the previous release), with that member's API and feed tokens, also made by the previous release,
and the admin's index and list of every registered model as ``ADMIN``. Every model's table
answers a query, and the rows the previous release wrote into the tables whose models moved are
found through their new owners. Prints one line per page and exits 1 when anything failed.
"""

from __future__ import annotations

import os
import sys
import time
from urllib.parse import urlencode

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperboy.settings")
# Each process its own cache: nothing read here comes from another run's files.
os.environ.setdefault("PAPERBOY_CACHE_URL", "locmem://")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.db import DatabaseError  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from paperboy.accounts.models import User  # noqa: E402
from paperboy.feed.models import DailyEntry  # noqa: E402
from paperboy.lib import dates  # noqa: E402
from paperboy.lib.dates import Period  # noqa: E402

# Tables whose model moved to another app in this release, and how many rows the previous
# release's demo and member left in them (at least).
MOVED_TABLES = {"accounts_organization": 1, "api_apitoken": 2, "moderation_report": 1}

SIGN_IN = "/accounts/login/"


def pages(member: User, feed_token: str) -> list[tuple[str, str, str]]:
    """(path, a visitor's answer, the member's answer) for every kind of page, from what the
    database holds. An answer is a status, or ``302 <where to>`` for a redirect."""
    today = timezone.localdate()
    day = DailyEntry.objects.latest_day(today)
    day_slug = Period.containing(day, dates.DAY).slug
    week_slug = Period.containing(day, dates.WEEK).slug
    month_slug = Period.containing(day, dates.MONTH).slug
    entry = (
        DailyEntry.objects.filter(organization__isnull=False, paper__hidden=False)
        .select_related("paper", "organization")
        .order_by("-day", "pk")
        .first()
    )
    if entry is None:
        raise SystemExit("the upgraded database has no daily entry with an organization")
    paper, org = entry.paper, entry.organization
    claimed = member.claims.select_related("paper").get()
    q = urlencode({"q": paper.title.split()[0]})
    everyone = [
        "/health",
        "/papers",
        f"/papers/date/{day_slug}",
        f"/papers/week/{week_slug}",
        f"/papers/month/{month_slug}",
        "/papers/trending",
        f"/papers/{paper.arxiv_id}",
        f"/papers/{paper.arxiv_id}.md",
        f"/papers/{claimed.paper.arxiv_id}",
        f"/papers/{paper.arxiv_id}/similar",
        f"/{org.slug}/papers",
        f"/papers/search?{q}",
        f"/u/{member.username}",
        f"/authors/{claimed.author_id}",
        "/digests/subscribe",
        "/api/daily_papers",
        f"/api/daily_papers?date={day_slug}",
        f"/api/papers/{paper.arxiv_id}",
        f"/api/papers/search?{q}",
        "/feeds/daily.rss",
        "/feeds/daily.atom",
        f"/feeds/date/{day_slug}.rss",
        f"/feeds/date/{day_slug}.atom",
        "/feeds/week.rss",
        f"/feeds/week/{week_slug}.atom",
        "/feeds/month.atom",
        f"/feeds/month/{month_slug}.rss",
        "/feeds/trending.rss",
        "/feeds/trending.atom",
        f"/feeds/org/{org.slug}.rss",
        f"/feeds/org/{org.slug}.atom",
        f"/feeds/search.rss?{q}",
        f"/feeds/search.atom?{q}",
        f"/feeds/for-you/{feed_token}.rss",
        f"/feeds/for-you/{feed_token}.atom",
    ]
    members_only = [
        "/following",
        "/settings/tokens",
        "/digests/settings",
        f"/orgs/{org.slug}/edit",
        f"/orgs/{org.slug}/members",
        "/for-you",
        "/library",
    ]
    return [
        # A member with signals (this one has upvotes) lands on For you; a visitor on the list.
        ("/", "302 /papers", "302 /for-you"),
        *((path, "200", "200") for path in everyone),
        *((path, f"302 {SIGN_IN}", "200") for path in members_only),
    ]


def answer(response) -> str:
    if response.status_code in (301, 302):
        return f"{response.status_code} {response['Location']}"
    return str(response.status_code)


def main(argv: list[str]) -> int:
    username, api_token, feed_token, admin_name = argv
    setup_test_environment()  # "testserver" as an allowed host; nothing else changes
    # The manifest static storage needs collectstatic, which a test never runs.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    member = User.objects.get(username=username)
    visitor = Client(raise_request_exception=False)
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(member)
    failures = []

    def check(client: Client, who: str, path: str, expected: str, **headers) -> None:
        started = time.monotonic()
        got = answer(client.get(path, headers=headers))
        line = f"{who:7} {got} {path} ({(time.monotonic() - started) * 1000:.0f} ms)"
        print(line)
        # A redirect to sign in carries ?next=: only where it goes is compared.
        if got != expected and not got.startswith(f"{expected}?"):
            failures.append(f"{line}: expected {expected}")

    for path, for_visitor, for_member in pages(member, feed_token):
        check(visitor, "visitor", path, for_visitor)
        check(signed_in, "member", path, for_member)
    check(visitor, "token", "/api/whoami-v2", "200", authorization=f"Bearer {api_token}")

    staff = Client(raise_request_exception=False)
    staff.force_login(User.objects.get(username=admin_name))
    check(staff, "admin", "/admin/", "200")
    for model in admin.site._registry:
        meta = model._meta
        check(staff, "admin", f"/admin/{meta.app_label}/{meta.model_name}/", "200")

    # Every model's table is there, and the moved models find the previous release's rows.
    for model in apps.get_models():
        try:
            rows = model._default_manager.count()
        except DatabaseError as exc:
            failures.append(f"{model._meta.label} ({model._meta.db_table}): {exc}")
            continue
        least = MOVED_TABLES.get(model._meta.db_table)
        if least is not None:
            print(f"moved   {model._meta.label} ({model._meta.db_table}): {rows} rows")
            if rows < least:
                failures.append(f"{model._meta.label}: {rows} rows, expected at least {least}")

    if failures:
        print("\n".join(["", "pages that did not answer as expected:", *failures]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
