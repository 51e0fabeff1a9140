"""The member parts of a card (lib/cardstate.py) and feed's own: the upvote button."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.template.loader import get_template
from django.test import RequestFactory

from paperboy.feed import cards, parts, votes
from paperboy.lib import cardstate
from paperboy.papers.models import Paper
from paperboy.testing import make_paper


@pytest.mark.parametrize("upvoted", [True, False])
@pytest.mark.parametrize("count", [0, 7])
@pytest.mark.parametrize("arxiv_id", ["2510.00683", "hep-th/9901001"])
def test_the_upvote_part_is_the_templates_member_form(upvoted, count, arxiv_id):
    """As the card includes it: no next_url, so the form comes back to the page's address."""
    request = RequestFactory().get("/papers/date/2026-08-13?p=2&x=\"<'>&y=é")
    request.user = SimpleNamespace(is_authenticated=True)
    rendered = get_template("feed/partials.html#upvote").render(
        {
            "paper": SimpleNamespace(arxiv_id=arxiv_id),
            "count": count,
            "upvoted": upvoted,
            "horizontal": False,
            "login_url": "",
            "csrf_token": "tok3n",
            "request": request,
        }
    )
    page = cardstate.PagePart(csrf_token="tok3n", next_url=request.get_full_path())
    assert parts.upvote_form(arxiv_id=arxiv_id, count=count, upvoted=upvoted, page=page) == rendered


def test_feeds_card_state_is_the_readers_upvote_the_live_count_and_the_id(
    alice, bob, django_assert_num_queries
):
    mine, theirs = make_paper(), make_paper()
    votes.upvote(user_id=alice.pk, paper_id=mine.pk)
    votes.upvote(user_id=bob.pk, paper_id=theirs.pk)
    with django_assert_num_queries(1):
        state = parts.card_state(alice, [mine.pk, theirs.pk])
    assert state == {
        mine.pk: {"upvoted": True, "upvotes": 1, "arxiv_id": mine.arxiv_id},
        theirs.pk: {"upvoted": False, "upvotes": 1, "arxiv_id": theirs.arxiv_id},
    }


@pytest.fixture
def flag_part(monkeypatch):
    """A card part of another app (papers stands in): 'flagged' on the papers whose id is even."""
    from django.apps import apps

    config = apps.get_app_config("papers")
    asked = []

    def card_state(user, paper_ids):
        asked.append((user.username, list(paper_ids)))
        return {pk: {"flagged": pk % 2 == 0} for pk in paper_ids}

    def card_part(name, paper_id, state, page):
        on = "on" if state["flagged"] else "off"
        return f'<b data-flag="{name}:{paper_id}:{on}:{state["upvoted"]}:{page.next_url}"></b>'

    monkeypatch.setattr(config, "card_state", card_state, raising=False)
    monkeypatch.setattr(config, "card_part", card_part, raising=False)
    return asked


CARD_LIST = Template(
    '{% load cardparts %}{% for card in cards %}{% cardpart "papers:flag" card %}'
    "<i>{{ card.paper.pk }}</i>{% endcardpart %}{% endfor %}"
)


def test_another_apps_card_part_gets_its_state_and_feeds_in_one_call(alice, flag_part):
    papers = [make_paper() for _ in range(3)]
    votes.upvote(user_id=alice.pk, paper_id=papers[0].pk)
    request = RequestFactory().get("/papers?p=2")
    request.user = alice
    shown = cards.for_papers(Paper.objects.order_by("pk"), reader=alice)

    html = CARD_LIST.render(Context({"cards": shown, "request": request, "csrf_token": "t"}))

    assert flag_part == [("alice", [p.pk for p in papers])]
    for i, p in enumerate(papers):
        flag = "on" if p.pk % 2 == 0 else "off"
        assert f'data-flag="flag:{p.pk}:{flag}:{i == 0}:/papers?p=2"' in html
    assert "<i>" not in html and "<!--card" not in html


def test_a_visitor_sees_the_parts_body_inside_the_marker_the_page_cache_fills(db, flag_part):
    paper = make_paper()
    request = RequestFactory().get("/papers")
    request.user = AnonymousUser()
    shown = cards.for_papers([paper], reader=request.user)

    html = CARD_LIST.render(Context({"cards": shown, "request": request}))

    assert html == f"<!--card papers:flag {paper.pk}--><i>{paper.pk}</i><!--/card-->"
    assert flag_part == []  # no state asked for a visitor
