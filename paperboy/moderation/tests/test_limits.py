"""The rate-limit helper (pure parts)."""

from paperboy.moderation.limits import describe


def test_rates_read_as_english():
    assert describe("10/m") == "10 per minute"
    assert describe("5/2h") == "5 per 2 hours"
    assert describe("100/d") == "100 per day"


def test_rates_name_what_they_count():
    assert describe("10/m", "comments") == "10 comments per minute"
    assert describe("20/2h", "claims") == "20 claims per 2 hours"
    assert describe("1/h", "reports") == "1 report per hour"
