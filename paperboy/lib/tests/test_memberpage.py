"""A member's own page is kept for them (lib/memberpage.py): served again to that member only,
with a fresh CSRF token, until a stamp of its scopes is bumped, the visitors' generation
changes or it is too old; never to another member, a visitor or a token."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.test import RequestFactory

from paperboy.lib import memberpage, pagecache
from paperboy.lib.memberpage import cache_for_member

TOKEN = re.compile(r'value="([A-Za-z0-9]{64})"')
SECRETS = {"alice": "a" * 32, "bob": "b" * 32}


@pytest.fixture(autouse=True)
def _on(settings):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 30
    memberpage.memory.clear()


class Counted:
    """A view that says who it was rendered for and counts its renderings."""

    def __init__(self, status: int = 200, cookie: bool = False, opt_out: bool = False) -> None:
        self.calls = 0
        self.status = status
        self.cookie = cookie
        self.opt_out = opt_out

    def __call__(self, request, name: str) -> HttpResponse:
        self.calls += 1
        who = request.user.get_username() if request.user.is_authenticated else "visitor"
        token = get_token(request)
        response = HttpResponse(
            f'<p>{name} for {who}, rendering {self.calls}</p><input value="{token}">'
            f'<div hx-headers=\'{{"X-CSRFToken": "{token}"}}\'></div>',
            status=self.status,
        )
        if self.cookie:
            response.set_cookie("mine", "1")
        if self.opt_out:
            response.paperboy_no_member_cache = True
        return response


def _request(user, path: str = "/shelf?x=1", **extra):
    request = RequestFactory().get(path, **extra)
    request.user = user if user is not None else AnonymousUser()
    request.session = {}
    if user is not None:
        request.META["CSRF_COOKIE"] = SECRETS[user.username]
    return request


def _scopes(request, name):
    return [f"test:member:{request.user.pk}", f"test:shelf:{name}"]


def _page(view, user, path="/shelf?x=1", **extra) -> tuple[str, str]:
    request = _request(user, path, **extra)
    html = view(request, name="shelf").content.decode()
    tokens = set(TOKEN.findall(html)) | set(re.findall(r'"X-CSRFToken": "(\w+)"', html))
    for token in tokens:  # every token on the page is a fresh mask of the member's own secret
        assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
    return html, TOKEN.search(html).group(1)


def test_a_member_gets_their_page_again_from_the_copy_with_a_fresh_token(alice):
    inner = Counted()
    view = cache_for_member(inner, scopes=_scopes)

    first, first_token = _page(view, alice)
    second, second_token = _page(view, alice)

    assert inner.calls == 1
    assert "shelf for alice, rendering 1" in second
    assert first_token != second_token
    assert first.replace(first_token, "T") == second.replace(second_token, "T")


def test_another_member_a_visitor_and_a_token_never_get_a_members_copy(alice, bob):
    inner = Counted()
    view = cache_for_member(inner, scopes=_scopes)
    _page(view, alice)
    _page(view, alice)

    bobs, _ = _page(view, bob)
    visitors = view(_request(None), name="shelf").content.decode()
    with_token = view(
        _request(alice, HTTP_AUTHORIZATION="Bearer pb_x"), name="shelf"
    ).content.decode()
    htmx = view(_request(alice, HTTP_HX_REQUEST="true"), name="shelf").content.decode()

    assert "for bob" in bobs and "alice" not in bobs
    assert "rendering 4" in with_token and "rendering 5" in htmx  # rendered, not the copy
    assert "for visitor" in visitors and "alice" not in visitors
    assert inner.calls == 5  # alice once, then bob, the visitor, the token and htmx rendered
    assert "rendering 3" not in _page(view, bob)[0]  # bob's own copy now
    assert "rendering 1" in _page(view, alice)[0]


def test_a_bumped_scope_retires_the_copies_under_it(alice, bob):
    inner = Counted()
    view = cache_for_member(inner, scopes=_scopes)
    _page(view, alice)
    _page(view, bob)

    memberpage.bump(f"test:member:{alice.pk}")

    assert "rendering 3" in _page(view, alice)[0]
    assert "rendering 2" in _page(view, bob)[0]  # bob's scope was not bumped
    memberpage.bump("test:shelf:shelf")
    assert "rendering 4" in _page(view, alice)[0]
    assert "rendering 5" in _page(view, bob)[0]


def test_a_bump_inside_a_transaction_happens_again_when_it_commits(
    alice, django_capture_on_commit_callbacks
):
    inner = Counted()
    view = cache_for_member(inner, scopes=_scopes)
    with django_capture_on_commit_callbacks(execute=True):
        memberpage.bump(f"test:member:{alice.pk}")
        # a page rendered before the writer's transaction commits (from the data before it)
        _page(view, alice)
    assert "rendering 2" in _page(view, alice)[0]


def test_a_moderation_and_a_cleared_cache_retire_every_copy(alice):
    inner = Counted()
    view = cache_for_member(inner, scopes=_scopes)
    _page(view, alice)

    pagecache.forget("/papers/2510.00001")  # a new visitors' generation
    assert "rendering 2" in _page(view, alice)[0]
    cache.clear()  # stamps are made anew
    assert "rendering 3" in _page(view, alice)[0]
    assert "rendering 3" in _page(view, alice)[0]


def test_a_renamed_member_gets_their_page_rendered_anew(alice):
    inner = Counted()
    view = cache_for_member(inner, scopes=_scopes)
    _page(view, alice)
    alice.username = "alice2"
    SECRETS["alice2"] = SECRETS["alice"]

    assert "for alice2, rendering 2" in _page(view, alice)[0]


def test_each_address_has_its_own_copy(alice):
    inner = Counted()
    view = cache_for_member(inner, scopes=_scopes)
    _page(view, alice, "/shelf?p=1")
    assert "rendering 2" in _page(view, alice, "/shelf?p=2")[0]
    assert "rendering 1" in _page(view, alice, "/shelf?p=1")[0]


def test_an_old_copy_is_rendered_anew(settings, alice, monkeypatch):
    inner = Counted()
    view = cache_for_member(inner, scopes=_scopes, seconds=5)
    _page(view, alice)
    now = memberpage.time.time()
    monkeypatch.setattr(memberpage.time, "time", lambda: now + 6)

    assert "rendering 2" in _page(view, alice)[0]
    assert "rendering 2" in _page(view, alice)[0]


def test_an_old_copy_is_served_to_others_while_one_request_renders_it(alice, monkeypatch):
    inner = Counted()
    view = cache_for_member(inner, scopes=_scopes, seconds=5)
    _page(view, alice)
    now = memberpage.time.time()
    monkeypatch.setattr(memberpage.time, "time", lambda: now + 6)
    assert cache.add(
        memberpage._key(
            alice,
            "/shelf?x=1",
            memberpage.stamps(_scopes(_request(alice), "shelf")),
            cache.get(pagecache.GENERATION_KEY, ""),
        )
        + ":render",
        1,
    )  # another request is rendering it

    assert "rendering 1" in _page(view, alice)[0]


@pytest.mark.parametrize("kind", ["error", "cookie", "messages", "off", "none", "opt-out"])
def test_what_is_never_kept(settings, alice, kind):
    inner = Counted(
        status=404 if kind == "error" else 200, cookie=kind == "cookie", opt_out=kind == "opt-out"
    )
    scopes = (lambda request, name: None) if kind == "none" else _scopes
    view = cache_for_member(inner, scopes=scopes)
    if kind == "off":
        settings.PAPERBOY_LIST_CACHE_SECONDS = 0
    for _ in range(2):
        request = _request(alice)
        if kind == "messages":
            request.session["_messages"] = "[]"
        view(request, name="shelf")
    assert inner.calls == 2


def test_a_copy_holds_no_token_and_no_cookie(alice):
    view = cache_for_member(Counted(cookie=False), scopes=_scopes)
    html, token = _page(view, alice)
    (held,) = [page for page in memberpage.memory.pages.values()]
    assert token.encode() not in b"".join(held.parts) and len(held.parts) == 3
    assert not [name for name, _ in held.headers if name.lower() == "set-cookie"]
