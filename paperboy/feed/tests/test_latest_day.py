"""``DailyEntry.objects.latest_day``: the one rule behind /papers, its feeds and the API."""

from datetime import UTC, date, datetime, timedelta

import time_machine

from paperboy.feed.models import DailyEntry
from paperboy.testing import make_entry, make_paper

TODAY = date(2025, 10, 8)


def test_it_is_today_when_the_list_is_empty(db):
    assert DailyEntry.objects.latest_day(TODAY) == TODAY


def test_it_skips_future_days_and_days_whose_papers_are_all_hidden(db):
    make_entry(make_paper(), TODAY - timedelta(days=3))
    make_entry(make_paper(hidden=True), TODAY - timedelta(days=1))
    make_entry(make_paper(), TODAY + timedelta(days=1))

    assert DailyEntry.objects.latest_day(TODAY) == TODAY - timedelta(days=3)


@time_machine.travel(datetime(2025, 10, 8, 15, 0, tzinfo=UTC), tick=False)
def test_the_page_the_feed_and_the_api_agree_on_it(client, db):
    make_entry(make_paper(title="The one"), TODAY - timedelta(days=2))
    make_entry(make_paper(title="Hidden", hidden=True), TODAY - timedelta(days=1))

    page = client.get("/papers").content.decode()
    feed = client.get("/feeds/daily.rss").content.decode()
    api = client.get("/api/daily_papers").json()

    assert "The one" in page and "Hidden" not in page
    assert "The one" in feed and "Hidden" not in feed
    assert [e["paper"]["title"] for e in api] == ["The one"]
