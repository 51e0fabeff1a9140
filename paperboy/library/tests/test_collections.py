"""Collection pages: create, edit, delete, add, remove, reorder, notes, feeds, the profile,
an organization's collections, Hugging Face-style addresses."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from paperboy.library import services
from paperboy.library.models import Collection, CollectionItem
from paperboy.testing import make_paper

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}
NASTY = '<img src=x onerror="alert(1)"> & co'


@pytest.fixture
def papers(db):
    return [make_paper(title=f"Paper {n}") for n in range(4)]


@pytest.fixture
def reading_group(alice, papers):
    c = services.create_collection(
        by=alice, title="Reading group", description="Long context.\n\nWeekly.", public=True
    )
    services.add_items(c, by=alice, paper_ids=[p.pk for p in papers])
    return c


def order(c) -> list[str]:
    return list(c.items.in_order().values_list("paper__title", flat=True))


def test_a_member_creates_a_collection(client, alice):
    client.force_login(alice)
    assert client.get("/collections").status_code == 200
    response = client.post(
        "/collections", {"title": "Long context", "description": "d", "public": "on"}
    )
    c = Collection.objects.get()
    assert response.status_code == 302 and response["Location"] == c.get_absolute_url()
    assert c.get_absolute_url() == "/u/alice/collections/long-context"
    assert (c.member, c.public, c.created_by) == (alice, True, alice)


def test_a_bad_title_is_refused_with_a_400(client, alice):
    client.force_login(alice)
    response = client.post("/collections", {"title": "a\x00b"})
    assert response.status_code == 400 and b"NUL" in response.content
    response = client.post("/collections", {"title": "t" * 101})
    assert response.status_code == 400
    assert not Collection.objects.exists()


def test_an_organization_collection_is_edited_by_its_members(client, alice, bob, example_lab):
    client.force_login(alice)
    client.post("/collections", {"title": "Lab picks", "owner": "example-lab", "public": "on"})
    c = Collection.objects.get()
    assert c.organization == example_lab and c.member is None
    assert c.get_absolute_url() == "/example-lab/collections/lab-picks"
    paper = make_paper()
    client.force_login(bob)
    response = client.post(f"{c.get_absolute_url()}/items", {"paper": paper.arxiv_id})
    assert response.status_code == 302
    assert list(c.items.values_list("paper", flat=True)) == [paper.pk]
    page = client.get(c.get_absolute_url())
    assert page.status_code == 200 and page.context["editable"]
    org_page = client.get("/example-lab/papers")
    assert b'hx-get="/example-lab/collections"' in org_page.content  # the list, loaded
    listed = client.get("/example-lab/collections", HTTP_HX_REQUEST="true")
    assert b"Lab picks" in listed.content and b"<html" not in listed.content
    assert b"Lab picks" in client.get("/example-lab/collections").content  # without JavaScript


def test_the_page_shows_papers_in_order_with_escaped_text(client, alice, bob, reading_group):
    services.update_collection(reading_group, by=alice, title=NASTY, description=NASTY)
    services.set_item_note(
        reading_group, by=alice, paper=reading_group.items.first().paper_id, note=NASTY
    )
    client.force_login(bob)
    response = client.get(reading_group.get_absolute_url())
    assert response.status_code == 200
    assert [card.paper.title for _, card, _, _ in response.context["rows"]] == order(reading_group)
    assert b"<img src=x" not in response.content
    assert response.content.count(b"&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; co") >= 3
    assert not response.context["editable"] and b"/edit" not in response.content


def test_reorder_with_htmx_returns_the_list(client, alice, reading_group):
    client.force_login(alice)
    url = f"{reading_group.get_absolute_url()}/items/{reading_group.items.last().paper_id}/move"
    response = client.post(url, {"offset": "-1"}, **HTMX)
    assert response.status_code == 200 and b'id="items"' in response.content
    assert order(reading_group) == ["Paper 0", "Paper 1", "Paper 3", "Paper 2"]
    response = client.post(url, {"to": "1"})
    assert response.status_code == 302
    assert order(reading_group) == ["Paper 3", "Paper 0", "Paper 1", "Paper 2"]
    response = client.post(url, {"offset": "sideways"})
    assert response.status_code == 302
    assert order(reading_group)[0] == "Paper 3"


def test_remove_and_note(client, alice, reading_group, papers):
    client.force_login(alice)
    base = reading_group.get_absolute_url()
    client.post(f"{base}/items/{papers[1].pk}/remove", **HTMX)
    assert order(reading_group) == ["Paper 0", "Paper 2", "Paper 3"]
    client.post(f"{base}/items/{papers[0].pk}/note", {"note": "start here"}, **HTMX)
    assert reading_group.items.get(paper=papers[0]).note == "start here"
    assert client.post(f"{base}/items/{papers[0].pk}/explode").status_code == 404


def test_add_by_a_bad_id_says_why(client, alice, reading_group):
    client.force_login(alice)
    response = client.post(
        f"{reading_group.get_absolute_url()}/items", {"paper": "not an id"}, follow=True
    )
    assert b"is not an arXiv id" in response.content
    response = client.post(
        f"{reading_group.get_absolute_url()}/items", {"paper": "2412.99999"}, follow=True
    )
    assert b"no paper 2412.99999 in the catalog" in response.content


def test_edit_and_delete(client, alice, reading_group):
    client.force_login(alice)
    edit = f"{reading_group.get_absolute_url()}/edit"
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"title": "Renamed", "description": ""})
    assert response.status_code == 302 and response["Location"] == reading_group.get_absolute_url()
    reading_group.refresh_from_db()
    assert (reading_group.title, reading_group.public, reading_group.slug) == (
        "Renamed",
        False,
        "reading-group",
    )
    response = client.post(f"{reading_group.get_absolute_url()}/delete")
    assert response.status_code == 302
    assert not Collection.objects.exists() and not CollectionItem.objects.exists()


def test_the_feeds_of_a_public_collection(client, alice, reading_group, papers):
    services.set_item_note(reading_group, by=alice, paper=papers[0], note=NASTY)
    rss = client.get(f"{reading_group.get_absolute_url()}.rss")
    atom = client.get(f"{reading_group.get_absolute_url()}.atom")
    assert rss.status_code == atom.status_code == 200
    assert rss["Content-Type"].startswith("application/rss+xml")
    for response in (rss, atom):
        assert b"Paper 3" in response.content and b"<img src=x" not in response.content


def test_the_profile_shows_public_collections(client, alice, bob, reading_group):
    services.create_collection(by=alice, title="Secret shelf")
    response = client.get("/u/alice")
    assert b"Reading group" in response.content and b"Secret shelf" not in response.content
    client.force_login(bob)
    assert b"Secret shelf" not in client.get("/u/alice").content
    client.force_login(alice)
    assert b"Secret shelf" in client.get("/u/alice").content


def test_hugging_face_addresses_lead_to_the_page(client, alice, reading_group):
    response = client.get(f"/collections/alice/reading-group-{reading_group.hub_id}")
    assert (
        response.status_code == 302 and response["Location"] == "/u/alice/collections/reading-group"
    )
    assert client.get("/collections/alice/reading-group-0000").status_code == 404


def test_add_from_the_paper_page(client, alice, reading_group):
    paper = make_paper(title="Fresh")
    client.force_login(alice)
    box = client.get(f"/library/papers/{paper.pk}/collections", **HTMX)
    assert box.status_code == 200 and b"Reading group" in box.content
    response = client.post(
        f"/library/papers/{paper.pk}/collections",
        {"collection": reading_group.pk, "action": "add"},
        **HTMX,
    )
    assert response.status_code == 200 and b'aria-pressed="true"' in response.content
    assert order(reading_group)[-1] == "Fresh"
    client.post(
        f"/library/papers/{paper.pk}/collections",
        {"collection": reading_group.pk, "action": "remove"},
        **HTMX,
    )
    assert "Fresh" not in order(reading_group)


def test_the_query_count_of_a_collection_page_does_not_grow(client, alice, bob):
    c = services.create_collection(by=alice, title="Big", public=True)
    client.force_login(bob)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(c.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    services.add_item(c, by=alice, paper=make_paper())
    count()  # the member's user row is read once, then from the cache (accounts/signedin.py)
    few = count()
    services.add_items(c, by=alice, paper_ids=[make_paper().pk for _ in range(20)])
    assert count() == few


@pytest.mark.parametrize("change", ["private", "delete"])
def test_an_organizations_cached_page_never_shows_a_collection_made_private(
    settings, alice, example_lab, change, django_capture_on_commit_callbacks
):
    """The organization's page is kept for visitors at any query string; none of its copies
    holds a collection's title, and its list of collections is read fresh (it used to show a
    collection made private at ``?utm=x`` or ``?p=1`` until the copy expired)."""
    settings.PAPERBOY_LIST_CACHE_SECONDS = 30
    c = services.create_collection(
        by=alice, title="Secret plans", public=True, organization=example_lab
    )
    pages = ["/example-lab/papers", "/example-lab/papers?utm=x", "/example-lab/papers?p=1"]
    lists = ["/example-lab/collections", "/example-lab/collections?utm=x"]
    for url in pages + lists:
        Client().get(url)  # the visitors' copies
    assert b"Secret plans" in Client().get(lists[0], HTTP_HX_REQUEST="true").content

    with django_capture_on_commit_callbacks(execute=True):
        if change == "private":
            services.update_collection(c, by=alice, public=False)
        else:
            services.delete_collection(c, by=alice)

    for url in pages + lists:
        assert b"Secret plans" not in Client().get(url).content, url
        assert b"Secret plans" not in Client().get(url, HTTP_HX_REQUEST="true").content, url
