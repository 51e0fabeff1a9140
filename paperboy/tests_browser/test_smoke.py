"""Chromium reaches the live server: the admin login page renders with its title."""

import pytest


@pytest.mark.browser
def test_the_admin_login_page_opens_in_chromium(live_server, page):
    page.goto(f"{live_server.url}/admin/login/")
    assert "Log in" in page.title()
    assert page.locator("input[name=username]").is_visible()
