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


def test_a_row_read_before_a_ban_is_never_kept_after_it(rf, alice, monkeypatch):
    """A slow request that read alice's row before her ban committed must not store it after
    the ban's forget: the next request would take her for signed in for minutes."""
    from django.contrib import auth
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.cache import cache

    from paperboy.accounts import signedin

    stale = User.objects.get(pk=alice.pk)  # read while she was still active
    User.objects.filter(pk=alice.pk).update(is_active=False)
    signedin.forget(alice.pk)  # the ban's forget, at its commit
    request = rf.get("/")
    request.session = SessionStore()
    monkeypatch.setattr(auth, "get_user", lambda request: stale)  # the slow request's read

    assert signedin.get_user(request) is stale  # that request goes on as it began
    assert not isinstance(cache.get(signedin._key(alice.pk)), User)  # but keeps nothing
