"""/settings/tokens: create a token (shown once), list and revoke them."""

import pytest

from paperboy.accounts.tokens import ApiToken
from paperboy.api.forms import MAX_TOKENS
from paperboy.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(client, alice):
    client.login(username="alice", password=PASSWORD)
    return client


def test_it_asks_strangers_to_sign_in(client):
    response = client.get("/settings/tokens")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_creating_a_token_shows_it_once(alice_client, alice):
    response = alice_client.post("/settings/tokens", {"name": "laptop", "scope": "api"})
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    plaintext = response.context["plaintext"]
    assert plaintext.startswith("pb_")
    assert plaintext in response.content.decode()
    token = ApiToken.objects.get(user=alice)
    assert token.name == "laptop"
    assert ApiToken.authenticate(plaintext, scope="api") == token
    page = alice_client.get("/settings/tokens").content.decode()
    assert "laptop" in page
    assert plaintext not in page


def test_a_feed_token_comes_with_its_feed_url(alice_client):
    response = alice_client.post("/settings/tokens", {"name": "reader", "scope": "feed"})
    assert response.status_code == 201
    plaintext = response.context["plaintext"]
    assert response.context["feed_url"] == f"http://testserver/feeds/for-you/{plaintext}.rss"


@pytest.mark.parametrize("data", [{"name": "", "scope": "api"}, {"name": "x", "scope": "root"}])
def test_bad_input_is_a_400_and_creates_nothing(alice_client, data):
    response = alice_client.post("/settings/tokens", data)
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_a_member_has_at_most_twenty_tokens(alice_client, alice):
    for n in range(MAX_TOKENS):
        ApiToken.issue(user=alice, name=f"t{n}")
    response = alice_client.post("/settings/tokens", {"name": "one more", "scope": "api"})
    assert response.status_code == 400
    assert ApiToken.objects.count() == MAX_TOKENS


def test_revoking_a_token(alice_client, alice):
    token, plaintext = ApiToken.issue(user=alice, name="old")
    response = alice_client.post(f"/settings/tokens/{token.pk}/revoke")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.authenticate(plaintext, scope="api") is None
    page = alice_client.get("/settings/tokens")
    assert "Revoked “old”" in page.content.decode()
    assert list(page.context["tokens"]) == []


def test_nobody_revokes_someone_else_s_token(alice_client, bob):
    token = ApiToken.issue(user=bob, name="bob's")[0]
    assert alice_client.post(f"/settings/tokens/{token.pk}/revoke").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_needs_a_post(alice_client, alice):
    token = ApiToken.issue(user=alice, name="old")[0]
    assert alice_client.get(f"/settings/tokens/{token.pk}/revoke").status_code == 405


def test_the_header_links_to_the_tokens_page(alice_client):
    assert 'href="/settings/tokens"' in alice_client.get("/settings/tokens").content.decode()
