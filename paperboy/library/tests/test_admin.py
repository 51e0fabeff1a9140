"""Operators find collections in the admin and take down a public one: made private or deleted
there, it is gone at once from the visitors' cached page and from members' own copies."""

import pytest
from django.test import Client

from paperboy.library import services
from paperboy.library.models import Collection
from paperboy.testing import PASSWORD, make_paper


@pytest.fixture
def picks(alice):
    c = services.create_collection(by=alice, title="Spam <b>picks</b>", public=True)
    services.add_items(c, by=alice, paper_ids=[make_paper(title="Listed paper").pk])
    return c


def _warm(settings, url: str, bob) -> Client:
    """The page in the visitors' cache and in bob's own copy."""
    settings.PAPERBOY_LIST_CACHE_SECONDS = 30
    reader = Client()
    reader.login(username=bob.username, password=PASSWORD)
    for client in (Client(), Client(), reader, reader):
        assert client.get(url).status_code == 200
    return reader


def test_collections_are_listed_found_and_shown_with_their_papers(admin_client, picks):
    listing = admin_client.get("/admin/library/collection/", {"q": "alice"})
    assert listing.status_code == 200 and b"Spam &lt;b&gt;picks&lt;/b&gt;" in listing.content
    page = admin_client.get(f"/admin/library/collection/{picks.pk}/change/")
    assert page.status_code == 200 and b"Listed paper" in page.content
    assert admin_client.get("/admin/library/collection/add/").status_code == 403


def test_made_private_in_the_admin_it_is_gone_from_every_cached_copy(
    settings, admin_client, bob, picks, django_capture_on_commit_callbacks
):
    url = picks.get_absolute_url()
    reader = _warm(settings, url, bob)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/library/collection/{picks.pk}/change/",
            {
                "title": picks.title,
                "description": "",
                "items-TOTAL_FORMS": "1",
                "items-INITIAL_FORMS": "1",
                "items-MIN_NUM_FORMS": "0",
                "items-MAX_NUM_FORMS": "1000",
            },
        )

    assert response.status_code == 302, response.content[:2000]
    assert not Collection.objects.get(pk=picks.pk).public
    assert Client().get(url).status_code == 404
    assert reader.get(url).status_code == 404


@pytest.mark.parametrize("how", ["delete", "action"])
def test_deleted_or_made_private_by_the_action_it_is_gone_too(
    settings, admin_client, bob, picks, how, django_capture_on_commit_callbacks
):
    url = picks.get_absolute_url()
    reader = _warm(settings, url, bob)

    with django_capture_on_commit_callbacks(execute=True):
        if how == "delete":
            response = admin_client.post(
                f"/admin/library/collection/{picks.pk}/delete/", {"post": "yes"}
            )
        else:
            response = admin_client.post(
                "/admin/library/collection/",
                {"action": "make_private", "_selected_action": [picks.pk]},
            )

    assert response.status_code == 302
    assert Client().get(url).status_code == 404
    assert reader.get(url).status_code == 404
