"""The signed-in user comes from the cache (accounts/signedin.py), and never outlives a change
to the account: a ban, a new password, a deletion end the session's access at once."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from paperboy.accounts.models import User
from paperboy.moderation import actions
from paperboy.testing import PASSWORD, make_user

PAGE = "/library"  # a members-only page: a visitor is sent to sign in


def _signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _user_reads(client: Client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(PAGE)
    reads = [q for q in ctx.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    return response.status_code, len(reads)


def test_a_members_user_row_is_read_once_then_from_the_cache(alice):
    client = _signed_in(alice)
    assert _user_reads(client) == (200, 1)
    assert _user_reads(client) == (200, 0)
    assert _user_reads(_signed_in(make_user("zoe"))) == (200, 1)  # each member their own


def test_a_ban_ends_access_at_once(alice, bob):
    client = _signed_in(alice)
    client.get(PAGE)
    client.get(PAGE)  # from the cache now
    actions.set_banned(actor=bob, user=alice, banned=True, reason="spam")
    assert client.get(PAGE).status_code == 302


def test_a_new_password_ends_the_other_sessions(alice):
    client = _signed_in(alice)
    client.get(PAGE)
    alice.set_password("another password 123")
    alice.save()
    assert client.get(PAGE).status_code == 302


def test_a_deleted_account_is_signed_out(alice):
    client = _signed_in(alice)
    client.get(PAGE)
    User.objects.filter(pk=alice.pk).delete()
    assert client.get(PAGE).status_code == 302


def test_an_edit_shows_at_once(alice):
    client = _signed_in(alice)
    client.get(PAGE)
    alice.username = "alice2"
    alice.save()
    assert 'title="Your account">alice2<' in client.get(PAGE).content.decode()
