"""The For you page, the home switch, "not interested", "show fewer", reset and onboarding."""

import pytest
from django_tasks_db.models import DBTaskResult

from paperboy.feed import votes
from paperboy.foryou import engine
from paperboy.foryou.models import CategoryInterest, Dismissal, SeenPaper, TopicMute
from paperboy.foryou.tasks import refresh_picks, train_member
from paperboy.testing import make_entry

HTMX = {"HTTP_HX_REQUEST": "true"}


def upvote(user, *papers):
    for p in papers:
        votes.upvote(user_id=user.pk, paper_id=p.pk)


@pytest.fixture
def graphs_fan(alice, topics):
    """Alice upvoted three graph papers; her model is trained and her picks stored."""
    upvote(alice, *topics["graphs"][:3])
    train_member.call(alice.pk)
    return alice


def card_ids(response) -> list[int]:
    return [card.paper.pk for card in response.context["cards"]]


def test_home_is_the_daily_list_for_visitors_and_members_without_signals(client, alice):
    assert client.get("/")["Location"] == "/papers"
    client.force_login(alice)
    assert client.get("/")["Location"] == "/papers"


def test_home_is_for_you_once_a_member_has_signals_and_they_can_switch_back(client, graphs_fan):
    client.force_login(graphs_fan)
    assert client.get("/")["Location"] == "/for-you"
    response = client.post("/for-you/home", {"home": "daily"})
    assert response["Location"] == "/papers"
    assert client.get("/")["Location"] == "/papers"
    client.post("/for-you/home", {"home": "foryou"})
    assert client.get("/")["Location"] == "/for-you"
    assert client.post("/for-you/home", {"home": "nope"}).status_code == 400


def test_the_page_needs_a_sign_in(client):
    response = client.get("/for-you")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_shows_recommendations_with_their_reasons_and_keeps_a_seen_ledger(
    client, graphs_fan, topics
):
    client.force_login(graphs_fan)
    response = client.get("/for-you")
    assert response.status_code == 200
    shown = card_ids(response)
    # The other graph papers first (the page lists the whole window, best first).
    assert set(shown[:5]) == {p.pk for p in topics["graphs"][3:]}
    html = response.content.decode()
    liked = topics["graphs"][:3]
    # The reason names, and links, one of the papers she upvoted.
    assert any(f'href="{p.get_absolute_url()}">{p.title}</a>' in html for p in liked)
    # Said once for the page, not on every card.
    assert html.count("you upvoted, saved or wrote") == 1
    assert "Not interested" in html
    assert set(
        SeenPaper.objects.filter(member=graphs_fan, via="page").values_list("paper_id", flat=True)
    ) == set(shown)
    assert "trending papers" not in html.lower().split("</h1>")[1][:300]


def test_papers_not_seen_yet_come_first(client, graphs_fan, topics):
    client.force_login(graphs_fan)
    first = card_ids(client.get("/for-you"))
    last = first[-1]
    # The order is the stored picks' until they are computed again (the next training).
    assert card_ids(client.get("/for-you")) == first
    SeenPaper.objects.filter(member=graphs_fan, paper_id=last).delete()
    train_member.call(graphs_fan.pk)
    again = card_ids(client.get("/for-you"))
    assert again[0] == last  # the only unseen one comes first
    assert set(again) == set(first)


def test_not_interested_removes_the_card_at_once_and_for_good(client, graphs_fan, topics):
    client.force_login(graphs_fan)
    target = card_ids(client.get("/for-you"))[0]
    paper = next(p for p in topics["graphs"] if p.pk == target)
    response = client.post(f"/for-you/not-interested/{paper.arxiv_id}", **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="paper-{paper.pk}"' in html and "Not interested" in html and "Undo" in html
    assert "card-vote" not in html  # the card itself is gone
    assert Dismissal.objects.filter(member=graphs_fan, paper=paper).count() == 1
    # A second click (slow connection) changes nothing.
    assert client.post(f"/for-you/not-interested/{paper.arxiv_id}", **HTMX).status_code == 200
    assert Dismissal.objects.filter(member=graphs_fan).count() == 1
    assert target not in card_ids(client.get("/for-you"))
    train_member.call(graphs_fan.pk)
    assert target not in card_ids(client.get("/for-you"))


def test_not_interested_in_a_paper_that_does_not_exist_is_a_404(client, graphs_fan):
    client.force_login(graphs_fan)
    assert client.post("/for-you/not-interested/2501.99999", **HTMX).status_code == 404
    assert client.get("/for-you/not-interested/2501.99999").status_code == 405
    assert not Dismissal.objects.exists()


def test_undo_brings_the_paper_back(client, graphs_fan, topics):
    client.force_login(graphs_fan)
    paper = topics["graphs"][4]
    client.post(f"/for-you/not-interested/{paper.arxiv_id}")
    response = client.post(f"/for-you/not-interested/{paper.arxiv_id}/undo", **HTMX)
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    assert not Dismissal.objects.exists()
    # Undoing again is harmless.
    assert client.post(f"/for-you/not-interested/{paper.arxiv_id}/undo").status_code == 302


def test_show_fewer_like_this_for_a_followed_topic(client, graphs_fan, topics):
    CategoryInterest.objects.create(member=graphs_fan, category="cs.GR")
    train_member.call(graphs_fan.pk)  # what the chosen category enqueues
    client.force_login(graphs_fan)
    html = client.get("/for-you").content.decode()
    assert ">Fewer in cs.GR</button>" in html
    response = client.post("/for-you/fewer", {"kind": "category", "key": "cs.GR"})
    assert response.status_code == 302
    assert TopicMute.objects.filter(member=graphs_fan, kind="category", key="cs.GR").exists()
    assert "Showing fewer papers:" in client.get("/for-you").content.decode()
    assert client.post("/for-you/fewer", {"kind": "planet", "key": "x"}).status_code == 400
    assert TopicMute.objects.count() == 1


def test_reset_forgets_what_was_learnt_but_keeps_the_upvotes(client, graphs_fan, topics):
    client.force_login(graphs_fan)
    TopicMute.objects.create(member=graphs_fan, kind="category", key="cs.GR")
    assert client.post("/for-you/reset").status_code == 302
    assert not TopicMute.objects.filter(member=graphs_fan).exists()
    assert graphs_fan.upvote_set.count() == 3


def test_without_signals_the_page_says_it_shows_trending_in_the_chosen_categories(
    client, alice, topics
):
    for p in topics["vision"][:2] + topics["speech"][:2]:
        make_entry(p)
    client.force_login(alice)
    refresh_picks.call(alice.pk)  # what her first visit enqueues
    response = client.get("/for-you")
    assert "nothing to learn from yet" in response.content.decode()
    assert response.context["cold"]
    assert client.post("/for-you/start", {"more": "cs.VI"}).status_code == 302
    train_member.call(alice.pk)  # what the category's signal enqueues
    response = client.get("/for-you")
    html = response.content.decode()
    assert response.context["cold"] and "in your categories" in html and "cs.VI" in html
    assert set(card_ids(response)) == {p.pk for p in topics["vision"][:2]}


def test_one_signal_is_enough_to_recommend(client, alice, topics):
    upvote(alice, topics["speech"][0])
    train_member.call(alice.pk)  # what the upvote enqueues
    client.force_login(alice)
    response = client.get("/for-you")
    assert not response.context["cold"]
    assert set(card_ids(response)) & {p.pk for p in topics["speech"][1:]}


def test_onboarding_saves_categories_and_refuses_bad_codes(client, alice):
    client.force_login(alice)
    page = client.get("/for-you/start")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cs.CL · Computation and Language" in html and 'href="/library/import"' in html
    response = client.post("/for-you/start", {"categories": ["cs.CL"], "more": "q-bio.NC, stat.ML"})
    assert response.status_code == 302
    assert sorted(
        CategoryInterest.objects.filter(member=alice).values_list("category", flat=True)
    ) == ["cs.CL", "q-bio.NC", "stat.ML"]
    bad = client.post("/for-you/start", {"more": "<script>"})
    assert bad.status_code == 400 and "is not an arXiv category" in bad.content.decode()
    unknown = client.post("/for-you/start", {"categories": ["cs.XX"]})
    assert unknown.status_code == 400
    assert CategoryInterest.objects.filter(member=alice).count() == 3


def test_the_topics_shown_fewer_are_named_not_numbered(client, graphs_fan, topics, example_lab):
    author = topics["graphs"][4].authors.first()
    for kind, key in (
        ("author", author.pk),
        ("organization", example_lab.pk),
        ("category", "cs.GR"),
    ):
        TopicMute.objects.create(member=graphs_fan, kind=kind, key=str(key))
    TopicMute.objects.create(member=graphs_fan, kind="author", key="²")  # stored before the check
    client.force_login(graphs_fan)
    html = client.get("/for-you").content.decode()
    shown = html.split("Showing fewer papers:")[1].split("</p>")[0]
    assert f"by {author.name} " in shown and f"from {example_lab.name} " in shown
    assert "in cs.GR " in shown and "by ² " in shown
    assert f"author {author.pk}" not in shown


def test_a_first_visit_scores_nothing_and_fills_in_once_the_task_picked(
    client, alice, topics, monkeypatch
):
    upvote(alice, *topics["graphs"][:3])
    client.force_login(alice)

    def refuse(*args, **kwargs):
        raise AssertionError("the window was scored on the request")

    with monkeypatch.context() as patched:
        patched.setattr(engine, "_recommend_batch", refuse)
        first = client.get("/for-you")
        again = client.get("/for-you", **HTMX)  # the page asks again by itself

    html = first.content.decode()
    assert first.status_code == 200 and "Picking papers for you" in html
    assert 'hx-trigger="load delay:1s"' in html and "card-title" not in html
    assert "Picking papers for you" in again.content.decode()
    queued = DBTaskResult.objects.filter(task_path="paperboy.foryou.tasks.refresh_picks")
    assert queued.count() == 1  # once, however often it asks
    refresh_picks.call(alice.pk)  # the worker
    filled = client.get("/for-you", **HTMX)
    assert set(card_ids(filled)[:5]) == {p.pk for p in topics["graphs"][3:]}
    assert "Picking papers for you" not in filled.content.decode()
