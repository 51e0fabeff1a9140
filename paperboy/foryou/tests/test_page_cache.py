"""The For you page is read from the member's stored picks (``picks.py``) and served from
their own cached copy (``lib.memberpage``): no scoring on the request, every signal shows on
the next view, and no one else ever gets a member's page."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from paperboy.accounts.models import AuthorClaim, Follow
from paperboy.accounts.tokens import ApiToken
from paperboy.feed import votes
from paperboy.foryou import engine, picks, signals
from paperboy.foryou.models import TopicMute
from paperboy.foryou.tasks import refresh_picks, train_member
from paperboy.lib import memberpage
from paperboy.library import services
from paperboy.search import vectors
from paperboy.testing import PASSWORD, make_entry

HTMX = {"HTTP_HX_REQUEST": "true"}
TOKEN = re.compile(r"[A-Za-z0-9]{64}")
CARD = re.compile(r'<article class="card[^"]*" id="paper-(\d+)"')


@pytest.fixture(autouse=True)
def _cached(settings):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 30
    memberpage.memory.clear()


@pytest.fixture
def graphs_fan(alice, topics):
    """Alice upvoted three graph papers; her model is trained and her picks stored."""
    for p in topics["graphs"][:3]:
        votes.upvote(user_id=alice.pk, paper_id=p.pk)
    train_member.call(alice.pk)
    return alice


def _member(user, **kw) -> Client:
    client = Client(**kw)
    client.login(username=user.username, password=PASSWORD)
    return client


def _get(client: Client, url: str = "/for-you") -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(ctx.captured_queries)


def _cards(html: str) -> list[int]:
    return [int(pk) for pk in CARD.findall(html)]


def _no_scoring(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the window was scored on the request")

    monkeypatch.setattr(engine, "_recommend_batch", refuse)


def test_the_page_is_served_from_the_members_copy_without_scoring(graphs_fan, topics, monkeypatch):
    member = _member(graphs_fan)
    rendered, rendering = _get(member)
    _no_scoring(monkeypatch)

    served, serving = _get(member)

    assert TOKEN.sub("T", served) == TOKEN.sub("T", rendered)
    assert serving <= 2 < rendering  # the session and the user, nothing of the page's
    assert set(_cards(served)[:5]) == {p.pk for p in topics["graphs"][3:]}


def test_a_rendering_reads_the_stored_picks_and_never_scores_the_window(graphs_fan, monkeypatch):
    member = _member(graphs_fan)
    first, _ = _get(member)
    _no_scoring(monkeypatch)
    memberpage.bump(signals.page_scope(graphs_fan.pk))  # as a signal does

    again, queries = _get(member)

    assert queries > 2 and _cards(again) == _cards(first)


def test_a_dismissed_paper_goes_at_once_and_never_comes_back(graphs_fan, topics):
    member = _member(graphs_fan)
    shown = _cards(_get(member)[0])
    _get(member)  # now from the copy
    target = next(p for p in topics["graphs"] if p.pk == shown[0])

    response = member.post(f"/for-you/not-interested/{target.arxiv_id}", **HTMX)

    assert response.status_code == 200 and "Undo" in response.content.decode()
    assert target.pk not in _cards(_get(member)[0])
    # Neither from the stored picks computed before it, nor from the ones after.
    train_member.call(graphs_fan.pk)
    assert target.pk not in _cards(_get(member)[0])
    assert target.pk not in [i[0] for i in picks.stored(graphs_fan.pk).items]


@pytest.mark.parametrize("signal", ["upvote", "save", "import", "claim"])
def test_a_paper_the_member_takes_leaves_the_page_on_the_next_view(graphs_fan, topics, signal):
    member = _member(graphs_fan)
    shown = _cards(_get(member)[0])
    _get(member)
    paper = next(p for p in topics["graphs"] if p.pk == shown[1])
    if signal == "upvote":
        votes.upvote(user_id=graphs_fan.pk, paper_id=paper.pk)
    elif signal == "save":
        services.save(member=graphs_fan, paper=paper)
    elif signal == "import":  # a bulk write: no model signal, the library's stamp
        services.save_many(member=graphs_fan, paper_ids=[paper.pk])
    else:
        AuthorClaim.objects.create(
            user=graphs_fan, paper=paper, author=paper.authors.first(), status="approved"
        )

    after = _cards(_get(member)[0])

    assert paper.pk not in after and after[:1] == shown[:1]


def test_a_follow_a_mute_a_reset_and_the_home_switch_show_on_the_next_view(graphs_fan, topics):
    member = _member(graphs_fan)
    author = topics["speech"][0].authors.first()
    _get(member)
    _get(member)

    Follow.objects.create(user=graphs_fan, author=author)
    train_member.call(graphs_fan.pk)  # the task that follows the signal: model, then picks
    html = _get(member)[0]
    assert f"By {author.name}, whom you follow" in html

    assert member.post("/for-you/fewer", {"kind": "author", "key": str(author.pk)}).status_code
    _get(member)  # shows the message, not kept
    html = _get(member)[0]
    assert "Showing fewer papers:" in html
    _get(member)
    mute = TopicMute.objects.get(member=graphs_fan)
    member.post(f"/for-you/fewer/{mute.pk}/undo")
    assert "Showing fewer papers:" not in _get(member)[0]

    assert "Make the daily list my home page" in _get(member)[0]
    member.post("/for-you/home", {"home": "daily"})
    _get(member)  # the message
    assert "Make For you my home page" in _get(member)[0]

    member.post("/for-you/reset")
    _get(member)
    assert f"By {author.name}, whom you follow" in _get(member)[0]  # follows are kept


def test_a_stale_list_is_served_and_recomputed_in_the_background(graphs_fan, monkeypatch):
    member = _member(graphs_fan)
    first = _cards(_get(member)[0])
    _no_scoring(monkeypatch)
    monkeypatch.setattr(vectors, "state_version", lambda: 10**6)
    memberpage.bump(signals.page_scope(graphs_fan.pk))

    again = _cards(_get(member)[0])
    _cards(_get(member)[0])

    assert again == first
    queued = DBTaskResult.objects.filter(task_path="paperboy.foryou.tasks.refresh_picks")
    assert queued.count() == 1  # once, however many views find it stale


def test_another_member_a_visitor_and_a_token_never_get_a_members_page(
    client, graphs_fan, bob, topics
):
    votes.upvote(user_id=bob.pk, paper_id=topics["speech"][0].pk)
    train_member.call(bob.pk)
    alices = _member(graphs_fan)
    mine = _get(alices)[0]
    _get(alices)
    graphs = {p.pk for p in topics["graphs"]}
    assert set(_cards(mine)[:3]) <= graphs

    bobs = _get(_member(bob))[0]
    assert 'title="Your account">bob<' in bobs and ">alice<" not in bobs
    assert not set(_cards(bobs)[:3]) & graphs

    visitor = client.get("/for-you")
    assert visitor.status_code == 302 and "/accounts/login/" in visitor["Location"]
    token = ApiToken.issue(user=graphs_fan, name="t", scope=ApiToken.Scope.API)[1]
    with_token = client.get("/for-you", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert with_token.status_code == 302 and "/accounts/login/" in with_token["Location"]


def test_without_signals_the_trending_reason_is_said_once_not_on_every_card(alice, topics, client):
    for p in topics["vision"][:3]:
        make_entry(p)
    refresh_picks.call(alice.pk)  # what her first visit enqueues
    html = _get(_member(alice))[0]

    assert len(_cards(html)) == 3
    assert html.count("nothing to learn from yet") == 1
    assert "no signals to learn from yet" not in html and "fy-trending" not in html


@pytest.mark.parametrize("action", ["fewer", "undo fewer", "reset"])
def test_a_mute_or_a_reset_is_recomputed_by_the_task_not_on_the_request(
    graphs_fan, monkeypatch, django_capture_on_commit_callbacks, action
):
    member = _member(graphs_fan)
    before = _cards(_get(member)[0])
    mute = TopicMute.objects.create(member=graphs_fan, kind="category", key="cs.GR")
    _no_scoring(monkeypatch)

    with django_capture_on_commit_callbacks(execute=True):
        if action == "fewer":
            response = member.post("/for-you/fewer", {"kind": "category", "key": "cs.RO"})
        elif action == "undo fewer":
            response = member.post(f"/for-you/fewer/{mute.pk}/undo")
        else:
            response = member.post("/for-you/reset")

    assert response.status_code == 302
    queued = DBTaskResult.objects.filter(task_path="paperboy.foryou.tasks.refresh_picks")
    assert queued.count() == 1
    html, queries = _get(member)
    assert queries > 2 and _cards(html) == before  # rendered anew, from the stored picks
