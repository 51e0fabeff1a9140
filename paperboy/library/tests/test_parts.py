"""The library's card part (lib/cardstate.py): the Save toggle on every card."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.template.loader import get_template
from django.test import RequestFactory

from paperboy.feed import votes
from paperboy.lib import cardstate
from paperboy.library import parts, services
from paperboy.testing import make_entry, make_paper


@pytest.mark.parametrize("saved", [True, False])
@pytest.mark.parametrize("pk", [1, 987654321, 42])
def test_the_save_part_is_the_templates_member_form(saved, pk):
    """As the card includes it: no next_url, so the form comes back to the page's address."""
    request = RequestFactory().get("/papers/date/2026-08-13?p=2&x=\"<'>&y=é")
    request.user = SimpleNamespace(is_authenticated=True)
    rendered = get_template("library/partials.html#save").render(
        {
            "paper": SimpleNamespace(pk=pk),
            "saved": saved,
            "login_url": "",
            "next_url": "",
            "csrf_token": "tok3n",
            "request": request,
        }
    )
    page = cardstate.PagePart(csrf_token="tok3n", next_url=request.get_full_path())
    assert parts.save_form(paper_id=pk, saved=saved, page=page) == rendered


def test_the_card_state_is_which_papers_the_reader_saved(alice, bob, django_assert_num_queries):
    mine, theirs = make_paper(), make_paper()
    services.save(member=alice, paper=mine)
    services.save(member=bob, paper=theirs)
    with django_assert_num_queries(1):
        state = parts.card_state(alice, [mine.pk, theirs.pk])
    assert state == {mine.pk: {"saved": True}, theirs.pk: {"saved": False}}


def test_every_list_shows_the_members_saved_state(client, alice):
    saved, other = make_paper(title="Kept"), make_paper(title="Passed")
    for paper in (saved, other):
        make_entry(paper)
        votes.upvote(user_id=alice.pk, paper_id=paper.pk)
    services.save(member=alice, paper=saved)
    client.force_login(alice)
    for url in ("/papers", "/papers/trending"):
        html = client.get(url).content.decode()
        assert f'action="/library/papers/{saved.pk}/unsave"' in html, url
    html = client.get("/papers").content.decode()
    assert f'action="/library/papers/{other.pk}/save"' in html
    client.logout()
    html = client.get("/papers").content.decode()
    assert "Sign in to save this paper" in html and "/unsave" not in html


def test_search_results_show_the_members_saved_state(client, alice):
    saved = make_paper(title="Kept mixture of sparse experts")
    services.save(member=alice, paper=saved)
    client.force_login(alice)
    response = client.get("/papers/search?q=mixture+of+sparse+experts")
    assert response.status_code == 200
    assert f'action="/library/papers/{saved.pk}/unsave"' in response.content.decode()


@pytest.mark.parametrize("read", [True, False])
@pytest.mark.parametrize(
    "note", ["", "Read §3 <b>first</b>\n\nthen 987654321 & zqNoteTextqz", "one line"]
)
def test_a_rows_controls_are_the_templates(read, note):
    """library/rows.py fills in what the template renders, whatever the note or address hold."""
    from paperboy.lib import limits
    from paperboy.library.rows import controls

    request = RequestFactory().get("/library?q=987654321&x=\"<'>&y=zqNextUrlqz")
    saved = SimpleNamespace(paper_id=42, read=read, note=note)
    rendered = get_template("library/partials.html#controls").render(
        {
            "paper": SimpleNamespace(pk=42),
            "saved": saved,
            "note_chars": limits.SAVED_NOTE_CHARS,
            "csrf_token": "tok3n",
            "request": request,
        }
    )
    assert controls(saved, csrf_token="tok3n", next_url=request.get_full_path()) == rendered


def test_cached_cards_are_the_templates_for_a_member(alice, example_lab):
    """library/cardcache.py: a member's card from the per-process copy is the card the template
    renders for them (CSRF tokens aside: each rendering masks its own)."""
    import re

    from paperboy.feed import cards
    from paperboy.library import cardcache
    from paperboy.papers.models import Paper

    papers = [
        make_paper(title=r"Routing \emph{Sparsely} <b>", github_repo="https://github.com/a/b"),
        make_paper(organization=example_lab, github_repo="https://github.com/c/d", github_stars=7),
        make_paper(comments_count=3),
    ]
    votes.upvote(user_id=alice.pk, paper_id=papers[0].pk)
    services.save(member=alice, paper=papers[1])
    request = RequestFactory().get("/library?q=<x>&p=1")
    request.user = alice
    token = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')
    shown = cards.for_papers(Paper.objects.for_cards().order_by("pk"), reader=alice)
    template = get_template("feed/partials.html#card")
    expected = [
        token.sub(r'\1T"', template.render({"card": c, "request": request, "csrf_token": "x"}))
        for c in shown
    ]
    for _ in range(2):  # the first fills the copies, the second serves from them
        got = [token.sub(r'\1T"', html) for html in cardcache.render(shown, request)]
        assert got == expected
    assert 'aria-pressed="true"' in got[0] and "/library/papers/" in got[1]
    assert "<!--card" not in "".join(got)
    # A copy is keyed by what the card shows: a changed counter or title is a new copy.
    Paper.objects.filter(pk=papers[2].pk).update(comments_count=99, title="Renamed paper")
    shown = cards.for_papers(Paper.objects.for_cards().order_by("pk"), reader=alice)
    html = cardcache.render(shown, request)[2]
    assert "Renamed paper" in html and ">99<" in html.replace("\n", "").replace(" ", "")
    # So is a summary written after the copy was made (summaries build).
    Paper.objects.filter(pk=papers[2].pk).update(ai_summary="A fresh one-line summary.")
    shown = cards.for_papers(Paper.objects.for_cards().order_by("pk"), reader=alice)
    assert "A fresh one-line summary." in cardcache.render(shown, request)[2]
    request.user = AnonymousUser()
    assert cardcache.render(shown, request) == [None, None, None]


@pytest.mark.parametrize("up, down", [(True, False), (False, True), (False, False)])
@pytest.mark.parametrize("note", ["", "Start <here> & zqTitleqz 987654321"])
@pytest.mark.parametrize("public", [True, False])
def test_an_editors_item_controls_are_the_templates(up, down, note, public):
    from paperboy.lib import limits
    from paperboy.library.rows import item_controls

    item = SimpleNamespace(paper_id=42, note=note)
    context = {
        "item": item,
        "title": 'A <b>"title"</b> zqNoteTextqz',
        "base": "/u/al&ice/collections/x/items/",
        "page_number": 3,
        "position": 101,
        "up_disabled": up,
        "down_disabled": down,
        "public": public,
        "item_note_chars": limits.ITEM_NOTE_CHARS,
        "csrf_token": "tok3n",
    }
    rendered = get_template("library/partials.html#item_controls").render(context)
    kwargs = {k: v for k, v in context.items() if k not in ("item", "item_note_chars")}
    assert item_controls(item, **kwargs) == rendered


@pytest.mark.parametrize("read", [True, False])
def test_a_reading_list_row_is_the_templates(settings, read):
    """library/rows.py's row is what ``library/partials.html#row`` renders, dates as the
    ``date`` filter writes them in the site's time zone, inserted HTML never searched again."""
    from datetime import UTC, datetime

    from django.utils.safestring import mark_safe

    from paperboy.library.rows import row

    settings.TIME_ZONE = "America/New_York"
    when = datetime(2025, 1, 1, 2, 30, tzinfo=UTC)
    saved = SimpleNamespace(paper_id=42, read=read, saved_at=when)
    card = mark_safe('<article class="card" data-paper="42">zqControlsqz 987654321</article>')
    controls = mark_safe("<form>zqCardHtmlqz</form>")
    expected = get_template("library/partials.html#row").render(
        {
            "paper_pk": 42,
            "saved": saved,
            "card_html": card,
            "controls": controls,
            "saved_iso": Template('{{ d|date:"c" }}').render(Context({"d": saved.saved_at})),
            "saved_day": Template('{{ d|date:"M j, Y" }}').render(Context({"d": saved.saved_at})),
        }
    )
    html = row(saved, card_html=card, controls=controls)
    assert html == expected
    assert "Saved Dec 31, 2024" in html and 'title="Saved 2024-12-31T21:30:00-05:00"' in html
