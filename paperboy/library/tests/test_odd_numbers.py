"""Numbers in URLs and forms that ``str.isdigit`` would take but ``int`` refuses (``²``, a
thousand digits), a Save toggle filled in one pass, and a refused org namespace that tells
nothing: each is a clear 4xx or the right HTML, never a 500 or a leak (review of issue 16)."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from paperboy.accounts.models import Membership
from paperboy.accounts.tokens import ApiToken
from paperboy.api.tests.conftest import bearer
from paperboy.lib import cardstate, paging
from paperboy.library import parts, services
from paperboy.papers.models import Organization
from paperboy.testing import make_paper


@pytest.mark.parametrize("number", ["²", "1" * 5000, "-1", "0", "x"])
def test_an_odd_page_number_is_a_404(number):
    from django.core.paginator import Paginator

    request = RequestFactory().get("/library", {"p": number})
    with pytest.raises(Http404):
        paging.checked_page(request, Paginator(list(range(10)), 5))


def test_the_save_toggle_never_puts_the_token_in_the_page_address():
    page = cardstate.PagePart(csrf_token="s3cret", next_url="/papers?x=zqCsrfTokenqz&y=987654321")
    html = parts.save_form(paper_id=7, saved=False, page=page)
    assert html.count("s3cret") == 1
    assert "x=zqCsrfTokenqz" in html and "y=987654321" in html


def test_a_strange_item_id_is_a_json_404(client, alice):
    collection = services.create_collection(by=alice, title="Mine")
    services.add_item(collection, by=alice, paper=make_paper())
    token = ApiToken.issue(user=alice, name="t")[1]
    url = f"/api/collections/{collection.hub_slug}/items/%C2%B2"
    response = client.delete(url, **bearer(token))
    assert response.status_code == 404 and "error" in response.json()


def test_moving_an_item_to_a_strange_place_is_a_4xx(client, alice):
    collection = services.create_collection(by=alice, title="Mine")
    paper = make_paper()
    services.add_item(collection, by=alice, paper=paper)
    client.force_login(alice)
    url = f"/u/{alice.username}/collections/{collection.slug}/items/{paper.pk}/move"
    response = client.post(url, {"to": "²"})
    assert 300 <= response.status_code < 500


def test_a_non_member_learns_nothing_of_an_orgs_private_collections(client, alice, bob):
    lab = Organization.objects.create(slug="lab", name="Lab")
    Membership.objects.create(organization=lab, user=alice)
    services.create_collection(by=alice, title="Secret plans", organization=lab, public=False)
    token = ApiToken.issue(user=bob, name="t")[1]
    for title in ("Secret plans", "Anything else"):
        response = client.post(
            "/api/collections",
            {"title": title, "namespace": "lab", "private": True},
            content_type="application/json",
            **bearer(token),
        )
        assert response.status_code == 403, title
        assert "slug" not in response.json()
