"""A member's reading list and collection pages are served from their own cached copy
(``lib.memberpage``) until a write through ``library.services`` (or an upvote, or a membership)
changes what they show: every change shows at once, and no one else ever gets the copy."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from paperboy.accounts.models import Membership
from paperboy.feed import votes
from paperboy.lib import memberpage
from paperboy.library import services
from paperboy.testing import PASSWORD, make_paper

TOKEN = re.compile(r"[A-Za-z0-9]{64}")


@pytest.fixture(autouse=True)
def _cached(settings):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 30
    memberpage.memory.clear()


@pytest.fixture
def papers(db):
    return [make_paper(title=f"Paper {n}") for n in range(3)]


@pytest.fixture
def shelf(alice, papers):
    for paper in papers[:2]:
        services.save(member=alice, paper=paper)
    services.set_note(member=alice, paper=papers[0], note="Alice's private note")
    return papers


def _member(user, **kw) -> Client:
    client = Client(**kw)
    client.login(username=user.username, password=PASSWORD)
    return client


def _get(client: Client, url: str, status: int = 200) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode(), len(ctx.captured_queries)


def _same(html: str) -> str:
    return TOKEN.sub("TOKEN", html)


def test_the_reading_list_is_served_from_the_members_copy(alice, shelf):
    member = _member(alice)
    rendered, rendering = _get(member, "/library")

    served, serving = _get(member, "/library")

    assert _same(served) == _same(rendered)
    assert serving <= 2 < rendering  # the session and the user, nothing of the page's
    assert "Alice&#x27;s private note" in served


@pytest.mark.parametrize("write", ["save", "unsave", "read", "note", "upvote", "unvote"])
def test_every_write_shows_on_the_next_view(client, alice, shelf, write):
    member = _member(alice)
    votes.upvote(user_id=alice.pk, paper_id=shelf[1].pk)
    before, _ = _get(member, "/library")
    _get(member, "/library")  # now from the copy
    paper = shelf[2] if write == "save" else shelf[1]
    if write in ("upvote", "unvote"):
        if write == "upvote":
            votes.upvote(user_id=alice.pk, paper_id=shelf[0].pk)
        else:
            votes.remove_upvote(user_id=alice.pk, paper_id=paper.pk)
    else:
        data = {"read": "1"} if write == "read" else {"note": "A second thought"}
        assert member.post(f"/library/papers/{paper.pk}/{write}", data).status_code == 302

    after, queries = _get(member, "/library")

    assert queries > 2  # rendered anew
    if write == "save":
        assert "Paper 2" in after and "Paper 2" not in before
    elif write == "unsave":
        assert "Paper 1" not in after.split("saved paper")[1]
    elif write == "read":
        assert after.count('name="read" value="0"') == before.count('name="read" value="0"') + 1
    elif write == "note":
        assert "A second thought" in after
    else:
        pressed = re.findall(r'action="/papers/([\d.]+)/unvote"', after)
        assert len(pressed) == (2 if write == "upvote" else 0)


def test_another_member_and_a_visitor_never_get_the_copy(client, alice, bob, shelf):
    member = _member(alice)
    _get(member, "/library")
    _get(member, "/library")

    bobs, _ = _get(_member(bob), "/library")
    visitor = client.get("/library")

    assert "Alice&#x27;s private note" not in bobs and "0 saved papers" in bobs
    assert 'title="Your account">bob<' in bobs
    assert visitor.status_code == 302 and "/accounts/login/" in visitor["Location"]
    api = client.get("/library", HTTP_AUTHORIZATION="Bearer not-a-session")
    assert api.status_code == 302


def test_the_token_on_a_served_page_works_for_the_members_forms(alice, shelf):
    member = _member(alice, enforce_csrf_checks=True)
    _get(member, "/library")
    served, queries = _get(member, "/library")
    assert queries <= 2
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', served).group(1)

    response = member.post(
        f"/library/papers/{shelf[1].pk}/read", {"read": "1", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302


@pytest.fixture
def lab_picks(alice, papers, example_lab):
    c = services.create_collection(
        by=alice, title="Lab picks", public=True, organization=example_lab
    )
    services.add_items(c, by=alice, paper_ids=[p.pk for p in papers[:2]])
    return c


def test_an_editors_collection_page_is_served_from_their_copy_until_it_changes(
    alice, papers, lab_picks
):
    url = lab_picks.get_absolute_url()
    editor = _member(alice)
    rendered, rendering = _get(editor, url)
    served, serving = _get(editor, url)
    assert _same(served) == _same(rendered) and serving <= 2 < rendering
    assert "/items/" in served  # the editor's controls

    services.add_item(lab_picks, by=alice, paper=papers[2])
    assert "Paper 2" in _get(editor, url)[0]
    services.update_collection(lab_picks, by=alice, title="Lab favourites")
    assert "Lab favourites" in _get(editor, url)[0]


def test_a_collection_made_private_is_gone_at_once_from_every_members_copy(
    alice, bob, papers, lab_picks
):
    c = services.create_collection(by=alice, title="Mine", public=True)
    services.add_items(c, by=alice, paper_ids=[papers[0].pk])
    reader = _member(bob)
    for url in (c.get_absolute_url(), c.get_absolute_url() + "?utm=x"):
        _get(reader, url)
        _get(reader, url)

    services.update_collection(c, by=alice, public=False)

    for url in (c.get_absolute_url(), c.get_absolute_url() + "?utm=x"):
        _get(reader, url, status=404)


def test_a_member_who_leaves_the_organization_loses_its_private_collection_at_once(
    alice, bob, papers, lab_picks
):
    services.update_collection(lab_picks, by=alice, public=False)
    url = lab_picks.get_absolute_url()
    leaving = _member(bob)
    _get(leaving, url)
    _, queries = _get(leaving, url)
    assert queries <= 2  # from bob's copy

    Membership.objects.filter(user=bob).delete()

    _get(leaving, url, status=404)


def test_a_deleted_collection_is_not_served_from_a_copy(alice, papers):
    c = services.create_collection(by=alice, title="Soon gone", public=False)
    owner = _member(alice)
    _get(owner, c.get_absolute_url())
    services.delete_collection(c, by=alice)
    _get(owner, c.get_absolute_url(), status=404)
    services.create_collection(by=alice, title="Soon gone", public=False)  # same address
    assert "Soon gone" in _get(owner, c.get_absolute_url())[0]
