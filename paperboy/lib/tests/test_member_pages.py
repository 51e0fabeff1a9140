"""Members are served the visitors' cached copy of a page with their own parts filled in
(lib/pagecache.py, "hole punching"): the same page they would get rendered, their CSRF token,
never another reader's state, and no copy holding anything of theirs."""

import re
from datetime import date

import pytest
from django.contrib.messages import SUCCESS
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from paperboy.accounts.models import AuthorClaim
from paperboy.comments import discussion
from paperboy.feed import votes
from paperboy.feed.models import Upvote
from paperboy.lib import cardstate
from paperboy.lib.pagecache import Page, page_key
from paperboy.papers.models import Author
from paperboy.testing import PASSWORD, make_entry, make_paper, make_user

DAY = date(2025, 10, 8)
LISTS = [
    "/papers/date/2025-10-08",
    "/papers/week/2025-W41",
    "/papers/month/2025-10",
    "/papers/trending",
]
PAPER = "/papers/2510.00001"
TOKEN = re.compile(r"[A-Za-z0-9]{64}")


@pytest.fixture
def site(alice, bob):
    """Three papers on one day; alice upvoted the first, bob the second; on the first, alice's
    pending claim, a comment each."""
    papers = [
        make_paper(arxiv_id=f"2510.0000{i}", title=f"Paper {i}", authors=["Ada", "Bea"])
        for i in (1, 2, 3)
    ]
    for paper in papers:
        make_entry(paper, DAY)
    votes.upvote(user_id=alice.pk, paper_id=papers[0].pk)
    votes.upvote(user_id=bob.pk, paper_id=papers[1].pk)
    ada = Author.objects.get(name="Ada")
    AuthorClaim.objects.create(user=alice, paper=papers[0], author=ada)
    discussion.post(user=alice, paper=papers[0], body="Alice's remark")
    discussion.post(user=bob, paper=papers[0], body="Bob's remark")
    return papers


def _member(user) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


def _get(client: Client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(ctx.captured_queries)


def _same(html: str) -> str:
    """The page without its CSRF tokens (masked afresh on every page) and part markers."""
    return TOKEN.sub("TOKEN", re.sub(r"<!--/?(card|part)[^>]*-->", "", html))


@pytest.mark.parametrize("url", [*LISTS, PAPER])
def test_a_member_gets_from_the_copy_the_page_they_would_get_rendered(settings, site, alice, url):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 0
    rendered, rendering_queries = _get(_member(alice), url)
    settings.PAPERBOY_LIST_CACHE_SECONDS = 30
    _get(Client(), url)  # a visitor's visit makes the copy
    assert isinstance(cache.get(page_key(url)), Page)

    member = _member(alice)
    first, _ = _get(member, url)  # renders the parts members share (pagecache.share_part)
    served, serving_queries = _get(member, url)

    assert _same(served) == _same(first) == _same(rendered)
    if url != PAPER:  # (alice's own comment has the discussion rendered for her: see below)
        assert serving_queries < rendering_queries  # from the copy, not rendered
    assert 'class="username" title="Your account">alice<' in served


@pytest.mark.parametrize("url", [LISTS[0], PAPER])
def test_two_members_and_a_visitor_in_turn_each_get_their_own_page(settings, site, alice, bob, url):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 30
    alice, bob = _member(alice), _member(bob)

    pages = {
        "alice": _get(alice, url)[0],  # the first: renders the copy as a visitor would
        "bob": _get(bob, url)[0],
        "visitor": _get(Client(), url)[0],
        "alice again": _get(alice, url)[0],
    }

    for who in ("alice", "alice again", "bob"):
        name = who.split()[0]
        other = "bob" if name == "alice" else "alice"
        assert f'class="username" title="Your account">{name}<' in pages[who]
        assert f'title="Your account">{other}<' not in pages[who]
    visitor = pages["visitor"]
    assert 'class="username"' not in visitor and "Sign in" in visitor
    assert 'aria-pressed="true"' not in visitor and '/upvote"' not in visitor
    assert _same(pages["alice"]) == _same(pages["alice again"])
    if url == PAPER:
        # alice's own claim and her own comment's edit/delete; bob has neither on hers
        assert "You claimed to be <strong>Ada</strong>" in pages["alice"]
        assert "You claimed" not in pages["bob"] and "Claim authorship" in pages["bob"]
        alice_comment = site[0].comments.get(user__username="alice").pk
        assert f"/comments/{alice_comment}/edit" in pages["alice"]
        assert f"/comments/{alice_comment}/edit" not in pages["bob"]
        assert 'class="comment-form"' in pages["bob"] and 'class="comment-form"' not in visitor
        assert "Claim authorship" not in visitor
    else:
        # alice upvoted paper 1, bob paper 2: each sees only their own pressed
        for who, pressed in (("alice", "2510.00001"), ("bob", "2510.00002")):
            on = re.findall(r'action="/papers/([\d.]+)/unvote"', pages[who])
            assert on == [pressed], who
    held = b"".join(cache.get(page_key(url)).parts).decode()
    assert 'class="username"' not in held and 'aria-pressed="true"' not in held
    assert "You claimed" not in held and "/edit" not in held


@pytest.mark.parametrize("url", [LISTS[0], PAPER])
def test_a_copy_made_for_a_member_answers_visitors_like_one_made_for_a_visitor(
    settings, site, alice, url
):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 30
    Client().get(url)
    by_visitor = Client().get(url)
    cache.clear()
    _get(_member(alice), url)
    with CaptureQueriesContext(connection) as ctx:
        by_member = Client().get(url)

    assert len(ctx.captured_queries) == 0
    assert _same(by_member.content.decode()) == _same(by_visitor.content.decode())
    for name in ("Content-Type", "Vary", "X-Frame-Options", "X-Content-Type-Options"):
        assert by_member[name] == by_visitor[name], name


def test_the_members_token_on_a_served_page_works_for_their_forms(settings, site, alice, bob):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 30
    _get(Client(), LISTS[0])
    member = Client(enforce_csrf_checks=True)
    member.login(username="bob", password=PASSWORD)
    html, _ = _get(member, LISTS[0])
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', html).group(1)

    response = member.post(
        "/papers/2510.00003/upvote", {"csrfmiddlewaretoken": token, "next": LISTS[0]}
    )

    assert response.status_code == 302
    assert Upvote.objects.filter(user=bob, paper=site[2]).exists()
    again, _ = _get(member, LISTS[0])  # their vote shows at once, with the live count
    assert re.findall(r'action="/papers/([\d.]+)/unvote"', again) == ["2510.00002", "2510.00003"]
    assert '<span class="count">1</span>' in again.split(f'id="paper-{site[2].pk}"')[1][:2000]


def test_a_served_list_page_costs_the_same_queries_whatever_its_length(settings, site, alice):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 30
    member = _member(alice)
    _get(member, LISTS[0])
    _, few = _get(member, LISTS[0])
    for i in range(4, 12):
        paper = make_paper(arxiv_id=f"2510.000{i:02d}")
        make_entry(paper, DAY)
        votes.upvote(user_id=alice.pk, paper_id=paper.pk)
    cache.clear()
    _get(member, LISTS[0])

    html, many = _get(member, LISTS[0])

    # the card state (one query per app with one), nothing rendered per card; the session
    # and the user come from the cache (lib/sessions.py, accounts/signedin.py)
    assert few == many == cardstate.queries()
    assert html.count('aria-pressed="true"') == 9


def test_a_members_messages_show_once_on_a_served_page(settings, rf, site, alice):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 30
    member = _member(alice)
    _get(member, LISTS[0])
    storage = CookieStorage(rf.get("/"))
    member.cookies["messages"] = storage._encode([Message(SUCCESS, "Your claim was sent")])

    first, _ = _get(member, LISTS[0])
    second, _ = _get(member, LISTS[0])

    assert "Your claim was sent" in first and "Your claim was sent" not in second


def test_an_unmarked_view_is_rendered_for_members(settings, rf, alice):
    """Only a view that says its member parts are marked serves members from the copy."""
    from paperboy.lib.pagecache import cache_for_visitors

    calls = []

    @cache_for_visitors
    def page(request):
        calls.append(request.user.username)
        return HttpResponse(f"<p>{request.user.username}</p>")

    settings.PAPERBOY_LIST_CACHE_SECONDS = 30
    request = rf.get("/x")
    request.user = alice
    assert page(request).content == b"<p>alice</p>" and calls == ["alice"]


def test_a_page_is_cut_at_tokens_and_parts_even_a_token_inside_a_visitors_part():
    from paperboy.lib.pagecache import _member_segments

    parts = (
        b'<form><input value="',
        b'"></form><!--part base.html#nav--><form value="',
        b'"><!--/part--><article><!--card feed:upvote 7--><a>up</a><!--/card--></article>',
    )

    assert _member_segments(parts) == (
        b'<form><input value="',
        None,
        b'"></form>',
        ("part", "base.html#nav", 0),
        b"<article>",
        ("card", "feed:upvote", 7),
        b"</article>",
    )
    assert _member_segments((b"<p>no parts</p>",)) == ()


def test_parts_shared_among_members_follow_each_members_own_state(settings, site, alice):
    """The claim box and the discussion are rendered once for members with nothing of theirs
    in them and shared (pagecache.share_part): each member still sees their own claim, their
    own comment's controls and every new comment at once."""
    settings.PAPERBOY_LIST_CACHE_SECONDS = 30
    carol, dave = _member(make_user("carol")), _member(make_user("dave"))
    _get(Client(), PAPER)
    page = {"carol": _get(carol, PAPER)[0], "dave": _get(dave, PAPER)[0]}
    assert _same(page["carol"]).replace("carol", "X") == _same(page["dave"]).replace("dave", "X")
    assert "Claim authorship" in page["dave"] and "You claimed" not in page["dave"]

    discussion.post(user=alice, paper=site[0], body="A new finding")
    bea = Author.objects.get(name="Bea")
    AuthorClaim.objects.create(user=_user("dave"), paper=site[0], author=bea)
    discussion.post(user=_user("carol"), paper=site[0], body="Carol’s question")
    page = {"carol": _get(carol, PAPER)[0], "dave": _get(dave, PAPER)[0]}

    for who in ("carol", "dave"):
        assert "A new finding" in page[who], who
        assert "Carol’s question" in page[who], who
    carols = site[0].comments.get(user__username="carol").pk
    assert f"/comments/{carols}/edit" in page["carol"]
    assert f"/comments/{carols}/edit" not in page["dave"]
    assert "You claimed to be <strong>Bea</strong>" in page["dave"]
    assert "You claimed" not in page["carol"] and "Claim authorship" in page["carol"]
    for who in ("carol", "dave"):
        settings.PAPERBOY_LIST_CACHE_SECONDS = 0
        rendered, rendering_queries = _get(_member(_user(who)), PAPER)
        settings.PAPERBOY_LIST_CACHE_SECONDS = 30
        assert _same(page[who]) == _same(rendered), who
    erin = _member(make_user("erin"))  # nothing of hers on the page: every part shared
    _get(erin, PAPER)
    served, serving_queries = _get(erin, PAPER)
    assert serving_queries < rendering_queries
    assert "Claim authorship" in served and "Carol’s question" in served


def _user(username: str):
    from paperboy.accounts.models import User

    return User.objects.get(username=username)


def test_a_shared_part_is_not_kept_when_the_members_key_changed_while_it_rendered(rf, monkeypatch):
    """A member's own write between the key and the rendering (a claim made in another tab)
    must not put their data in the copy other members share."""
    from django.contrib.auth.models import AnonymousUser

    from paperboy.lib import pagecache

    keys = iter(["none", "claim by this member"])
    monkeypatch.setitem(
        pagecache._shared_parts, "x.html#p", pagecache._Shared(lambda r, c: next(keys), True)
    )
    monkeypatch.setattr(pagecache, "render_to_string", lambda *a, **k: "their own claim")
    page = Page((b"",), (), 1.0)
    request = rf.get("/")
    request.user = AnonymousUser()

    assert pagecache._render_part(request, "x.html#p", {}, page, "/") == (b"their own claim",)
    assert pagecache.part_memory.get(("x.html#p", "none", "/", 1.0)) is None
