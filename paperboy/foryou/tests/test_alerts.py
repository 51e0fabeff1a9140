"""Alerts: saving a search, the alerts page, and the one rule for what an alert brings."""

from datetime import timedelta

from django.utils import timezone

from paperboy.accounts.models import Follow
from paperboy.foryou import alerts
from paperboy.foryou.models import SavedSearch
from paperboy.papers.models import Author
from paperboy.testing import make_paper


def now_paper(**kw):
    return make_paper(published_at=timezone.now(), **kw)


def test_a_member_saves_a_search_with_its_filters(client, alice):
    client.force_login(alice)
    form = {"q": "  sparse   router ", "category": "cs.CL", "code": "on"}
    response = client.post("/alerts", form)
    assert response.status_code == 302
    search = SavedSearch.objects.get(member=alice)
    assert search.query == "sparse router"
    assert search.filters == {"category": "cs.CL", "code": "1"}
    page = client.get("/alerts").content.decode()
    assert "New on “sparse router” (cs.CL, with code)" in page
    assert "/feeds/alerts/" in page and "RSS" in page


def test_saving_the_same_search_twice_or_bad_input_is_refused(client, alice):
    client.force_login(alice)
    client.post("/alerts", {"q": "graphs"})
    again = client.post("/alerts", {"q": "graphs"})
    assert again.status_code == 400 and "already have this alert" in again.content.decode()
    assert client.post("/alerts", {"q": "   "}).status_code == 400
    assert client.post("/alerts", {"q": "x", "category": "not a code"}).status_code == 400
    assert SavedSearch.objects.count() == 1


def test_the_search_page_s_query_string_saves_as_it_is(client, alice):
    client.force_login(alice)
    response = client.post("/alerts", {"q": "diffusion", "org": "example-lab", "sort": "date"})
    assert response.status_code == 302
    assert SavedSearch.objects.get().filters == {"org": "example-lab"}


def test_follows_are_alerts_too(client, alice, example_lab):
    ada = Author.objects.create(name="Ada Lovelace")
    Follow.objects.create(user=alice, author=ada)
    Follow.objects.create(user=alice, organization=example_lab)
    labels = [a.label for a in alerts.for_member(alice)]
    assert labels == ["New from Ada Lovelace", "New from Example Lab"]
    client.force_login(alice)
    page = client.get("/alerts").content.decode()
    assert "New from Ada Lovelace" in page and "Unfollow" in page


def test_a_saved_search_brings_new_papers_with_every_word_and_its_filters(alice, example_lab):
    hit = now_paper(title="Sparse routers for attention", github_repo="https://github.com/a/b")
    now_paper(title="Sparse attention", abstract="No router here at all.")
    now_paper(title="A router, sparse", categories=["math.PR"])
    old = make_paper(title="Sparse router of 2025", github_repo="https://github.com/a/c")
    search = SavedSearch.objects.create(
        member=alice, query="sparse router", filters={"category": "cs.CL", "code": "1"}
    )
    alert = alerts.from_search(search)
    since = timezone.now() - timedelta(days=1)
    assert list(alerts.matching(alert, since=since)) == [hit]
    assert old in alerts.matching(alert)  # without a window: whenever it appeared


def test_author_and_lab_alerts_bring_their_papers(alice, example_lab):
    mine = now_paper(authors=["Ada Lovelace"])
    lab = now_paper(authors=["Someone"], organization=example_lab)
    Follow.objects.create(user=alice, author=Author.objects.get(name="Ada Lovelace"))
    Follow.objects.create(user=alice, organization=example_lab)
    by_kind = {a.kind: a for a in alerts.for_member(alice)}
    assert list(alerts.matching(by_kind["author"])) == [mine]
    assert list(alerts.matching(by_kind["organization"])) == [lab]


def test_a_member_cannot_delete_another_s_saved_search(client, alice, bob):
    search = SavedSearch.objects.create(member=alice, query="graphs")
    client.force_login(bob)
    assert client.post(f"/alerts/searches/{search.pk}/delete").status_code == 404
    assert "graphs" not in client.get("/alerts").content.decode()
    client.force_login(alice)
    assert client.post(f"/alerts/searches/{search.pk}/delete").status_code == 302
    assert not SavedSearch.objects.exists()


def test_the_alerts_page_needs_a_sign_in(client):
    assert client.get("/alerts").status_code == 302


def test_the_search_page_offers_to_save_the_search_as_an_alert(client, alice):
    url = "/papers/search?q=sparse+router&category=cs.CL&code=on"
    assert "Alert me of new papers" not in client.get(url).content.decode()  # visitors
    client.force_login(alice)
    html = client.get(url).content.decode()
    assert "Alert me of new papers" in html
    assert 'name="category" value="cs.CL"' in html and 'name="code" value="on"' in html
    assert client.post("/alerts", {"q": "sparse router", "category": "cs.CL", "code": "on"})
    assert SavedSearch.objects.get(member=alice).filters == {"category": "cs.CL", "code": "1"}
