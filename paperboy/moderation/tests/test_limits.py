"""The rate-limit helper (pure parts)."""

from paperboy.moderation.limits import describe


def test_rates_read_as_english():
    assert describe("10/m") == "10 per minute"
    assert describe("5/2h") == "5 per 2 hours"
    assert describe("100/d") == "100 per day"
