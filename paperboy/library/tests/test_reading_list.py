"""/library (the reading list), the Save toggle, read state and private notes."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paperboy.library import services
from paperboy.library.models import SavedPaper
from paperboy.testing import make_paper

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/papers"}


def titles(response) -> list[str]:
    return [card.paper.title for _, card, _, _ in response.context["rows"]]


@pytest.fixture
def shelf(alice):
    """Three saved papers: "Beta" (2023, saved first, read), "alpha" (2025), "Gamma" (2024)."""
    papers = {
        "Beta": make_paper(title="Beta", published_at=datetime(2023, 5, 1, tzinfo=UTC)),
        "alpha": make_paper(title="alpha", published_at=datetime(2025, 5, 1, tzinfo=UTC)),
        "Gamma": make_paper(title="Gamma", published_at=datetime(2024, 5, 1, tzinfo=UTC)),
    }
    now = timezone.now()
    for n, paper in enumerate(papers.values()):
        saved = services.save(member=alice, paper=paper)
        SavedPaper.objects.filter(pk=saved.pk).update(saved_at=now + timedelta(minutes=n))
    services.mark_read(member=alice, paper=papers["Beta"])
    services.set_note(member=alice, paper=papers["Gamma"], note="Compare with §4 of Beta")
    return papers


def test_a_visitor_is_sent_to_sign_in(client, db):
    response = client.get("/library")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_lists_saved_papers_newest_saved_first(client, alice, shelf):
    client.force_login(alice)
    response = client.get("/library")
    assert response.status_code == 200
    assert titles(response) == ["Gamma", "alpha", "Beta"]
    assert b"Compare with \xc2\xa74 of Beta" in response.content
    assert b"3 saved papers" in response.content


@pytest.mark.parametrize(
    "query, expected",
    [
        ("sort=published", ["alpha", "Gamma", "Beta"]),
        ("sort=title", ["alpha", "Beta", "Gamma"]),
        ("read=read", ["Beta"]),
        ("read=unread&sort=title", ["alpha", "Gamma"]),
        ("q=beta", ["Gamma", "Beta"]),  # Gamma's note mentions Beta
        ("q=zzz", []),
        ("sort=nonsense&read=maybe", ["Gamma", "alpha", "Beta"]),  # unknown: the defaults
    ],
)
def test_it_sorts_and_filters(client, alice, shelf, query, expected):
    client.force_login(alice)
    response = client.get(f"/library?{query}")
    assert response.status_code == 200
    assert titles(response) == expected


def test_another_members_list_and_notes_stay_apart(client, alice, bob, shelf):
    client.force_login(bob)
    response = client.get("/library")
    assert titles(response) == []
    assert b"Compare with" not in response.content


def test_a_bad_page_number_is_a_404(client, alice, shelf):
    client.force_login(alice)
    assert client.get("/library?p=abc").status_code == 404
    assert client.get("/library?p=9").status_code == 404


def test_the_query_count_does_not_grow_with_the_list(client, alice, settings):
    settings.PAPERBOY_PAGE_SIZE = 50
    client.force_login(alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/library?sort=published").status_code == 200
        return len(ctx.captured_queries)

    services.save(member=alice, paper=make_paper())
    count()  # the member's user row is read once, then from the cache (accounts/signedin.py)
    few = count()
    services.save_many(member=alice, paper_ids=[make_paper().pk for _ in range(25)])
    assert count() == few
    services.set_note(member=alice, paper=SavedPaper.objects.first().paper, note="n")
    assert count() == few


def test_the_save_toggle_saves_and_unsaves_without_a_reload(client, alice):
    paper = make_paper()
    client.force_login(alice)
    response = client.post(f"/library/papers/{paper.pk}/save", **HTMX)
    assert response.status_code == 200
    assert b'aria-pressed="true"' in response.content and b"Saved" in response.content
    assert f"/library/papers/{paper.pk}/unsave".encode() in response.content
    assert SavedPaper.objects.filter(member=alice, paper=paper).exists()
    response = client.post(f"/library/papers/{paper.pk}/unsave", **HTMX)
    assert b'aria-pressed="false"' in response.content
    assert not SavedPaper.objects.exists()


def test_the_save_toggle_without_javascript_goes_back(client, alice):
    paper = make_paper()
    client.force_login(alice)
    response = client.post(f"/library/papers/{paper.pk}/save", {"next": "/papers/trending"})
    assert response.status_code == 302 and response["Location"] == "/papers/trending"
    response = client.post(f"/library/papers/{paper.pk}/save", {"next": "https://evil.example/"})
    assert response["Location"] == paper.get_absolute_url()


def test_a_visitor_pressing_save_is_asked_to_sign_in(client, db):
    paper = make_paper()
    response = client.post(f"/library/papers/{paper.pk}/save", **HTMX)
    assert response.status_code == 200 and b"Sign in</a> to save" in response.content
    response = client.post(f"/library/papers/{paper.pk}/save")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not SavedPaper.objects.exists()


def test_saving_a_hidden_or_unknown_paper_is_a_404(client, alice):
    hidden = make_paper(hidden=True)
    client.force_login(alice)
    assert client.post(f"/library/papers/{hidden.pk}/save", **HTMX).status_code == 404
    assert client.post("/library/papers/999999/save").status_code == 404
    assert client.get(f"/library/papers/{hidden.pk}/save").status_code == 405


def test_mark_read_and_unread(client, alice, shelf):
    paper = shelf["alpha"]
    client.force_login(alice)
    response = client.post(f"/library/papers/{paper.pk}/read", {"read": "1"}, **HTMX)
    assert response.status_code == 200 and b'aria-pressed="true"' in response.content
    assert SavedPaper.objects.get(member=alice, paper=paper).read
    client.post(f"/library/papers/{paper.pk}/read", {"read": "0"}, **HTMX)
    assert not SavedPaper.objects.get(member=alice, paper=paper).read


def test_a_note_is_saved_and_shown_escaped(client, alice, shelf):
    paper = shelf["alpha"]
    client.force_login(alice)
    note = '<script>alert("x")</script> & more'
    response = client.post(f"/library/papers/{paper.pk}/note", {"note": note}, **HTMX)
    assert response.status_code == 200 and b"Note saved." in response.content
    assert b"<script>alert" not in response.content
    assert b"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in response.content
    assert SavedPaper.objects.get(member=alice, paper=paper).note == note
    page = client.get("/library")
    assert b"<script>alert" not in page.content and b"&lt;script&gt;alert" in page.content


def test_a_bad_note_gets_a_clear_400(client, alice, shelf):
    client.force_login(alice)
    paper = shelf["alpha"]
    # htmx swaps only 2xx answers: the box comes back saying why, with the text kept, unsaved.
    response = client.post(f"/library/papers/{paper.pk}/note", {"note": "x" * 10_001}, **HTMX)
    assert response.status_code == 200 and b"the limit is 10,000" in response.content
    assert b'role="alert"' in response.content and b"x" * 10_001 in response.content
    response = client.post(f"/library/papers/{paper.pk}/note", {"note": "x" * 10_001})
    assert response.status_code == 400 and b"the limit is 10,000" in response.content
    response = client.post(f"/library/papers/{paper.pk}/note", {"note": "a\x00b"})
    assert response.status_code == 400 and b"NUL" in response.content
    assert SavedPaper.objects.get(member=alice, paper=paper).note == ""


def test_the_paper_page_has_save_and_add_to_collection(client, alice, shelf):
    paper = shelf["alpha"]
    client.force_login(alice)
    response = client.get(paper.get_absolute_url())
    assert response.status_code == 200
    assert f"/library/papers/{paper.pk}/unsave".encode() in response.content
    assert b"Add to collection" in response.content
    client.logout()
    response = client.get(paper.get_absolute_url())
    assert b"Sign in to save this paper" in response.content
    assert b"Add to collection" not in response.content


def test_a_new_version_of_a_saved_paper_resorts_it(client, alice, shelf):
    """The reading list sorts on its own copy of the title: an import that changes the title
    brings the copy up to date (library.receivers)."""
    beta = shelf["Beta"]
    make_paper(arxiv_id=beta.arxiv_id, title="Zeta, formerly Beta", version=2)
    client.force_login(alice)
    response = client.get("/library?sort=title")
    assert titles(response) == ["alpha", "Gamma", "Zeta, formerly Beta"]
    assert titles(client.get("/library?q=zeta")) == ["Zeta, formerly Beta"]


def test_a_hidden_paper_leaves_the_list_and_its_count(client, alice, shelf):
    from paperboy.papers.models import Paper

    Paper.objects.filter(pk=shelf["alpha"].pk).update(hidden=True)
    client.force_login(alice)
    response = client.get("/library")
    assert titles(response) == ["Gamma", "Beta"] and b"2 saved papers" in response.content
