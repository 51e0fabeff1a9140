"""Private collections and notes are their owner's alone: every page, feed and form route, as
another member, a member whose email is unverified, and a visitor; public collections are
read-only to those who may not edit them. Nothing leaks and nothing changes."""

import pytest
from django.contrib.auth.models import AnonymousUser

from paperboy.library import services
from paperboy.library.models import Collection, CollectionItem, SavedPaper
from paperboy.testing import make_paper

SECRET = "Zebra-secret-title"
SECRET_TEXT = "Okapi-secret-text"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}


@pytest.fixture
def secret(alice):
    papers = [make_paper(), make_paper()]
    c = services.create_collection(by=alice, title=SECRET, description=SECRET_TEXT)
    services.add_items(c, by=alice, paper_ids=[p.pk for p in papers])
    services.set_item_note(c, by=alice, paper=papers[0], note=SECRET_TEXT)
    services.set_note(member=alice, paper=papers[0], note=SECRET_TEXT)
    return c, papers


def snapshot():
    return (
        list(Collection.objects.values_list("title", "description", "public", "slug")),
        list(CollectionItem.objects.values_list("paper_id", "position", "note").order_by("id")),
        list(SavedPaper.objects.values_list("member_id", "paper_id", "note", "read")),
    )


def routes(c, papers) -> list[tuple[str, str, dict]]:
    base = c.get_absolute_url()
    pk = papers[0].pk
    return [
        ("get", base, {}),
        ("get", f"{base}.rss", {}),
        ("get", f"{base}.atom", {}),
        ("get", f"/collections/alice/{c.slug}-{c.hub_id}", {}),
        ("get", f"{base}/edit", {}),
        ("post", f"{base}/edit", {"title": "Mine now", "public": "on"}),
        ("post", f"{base}/delete", {}),
        ("post", f"{base}/items", {"paper": make_paper().arxiv_id}),
        ("post", f"{base}/items/{pk}/move", {"offset": "1"}),
        ("post", f"{base}/items/{pk}/remove", {}),
        ("post", f"{base}/items/{pk}/note", {"note": "defaced"}),
        ("post", f"/library/papers/{pk}/collections", {"collection": c.pk, "action": "remove"}),
    ]


@pytest.fixture(params=["bob", "charlie", "visitor"])
def stranger(request, client, bob, charlie):
    if request.param != "visitor":
        client.force_login({"bob": bob, "charlie": charlie}[request.param])
    return client


@pytest.mark.parametrize("htmx", [False, True])
def test_a_private_collection_is_a_404_to_anyone_else(stranger, secret, htmx):
    c, papers = secret
    before = snapshot()
    for method, url, data in routes(c, papers):
        response = getattr(stranger, method)(url, data, **(HTMX if htmx else {}))
        signed_in = "_auth_user_id" in stranger.session
        if signed_in or method == "get" and "/edit" not in url:
            assert response.status_code == 404, (method, url)
        else:  # a visitor is asked to sign in first (the same for a collection that is not)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        body = response.content.decode()
        assert SECRET not in body and SECRET_TEXT not in body, (method, url)
    assert snapshot() == before


def test_a_private_collection_is_nowhere_else_either(stranger, secret, alice):
    c, papers = secret
    for url in ("/u/alice", papers[0].get_absolute_url(), "/collections", "/library"):
        response = stranger.get(url, follow=True)
        body = response.content.decode()
        assert SECRET not in body and SECRET_TEXT not in body, url


def test_another_member_cannot_add_to_it_from_a_paper_page(client, bob, secret):
    c, _ = secret
    client.force_login(bob)
    paper = make_paper()
    box = client.get(f"/library/papers/{paper.pk}/collections", **HTMX)
    assert SECRET not in box.content.decode()
    response = client.post(
        f"/library/papers/{paper.pk}/collections", {"collection": c.pk, "action": "add"}, **HTMX
    )
    assert response.status_code == 404
    assert not c.items.filter(paper=paper).exists()


def test_a_public_collection_is_read_only_to_others(client, alice, bob, secret):
    c, papers = secret
    services.update_collection(c, by=alice, public=True)
    before = snapshot()
    client.force_login(bob)
    for method, url, data in routes(c, papers):
        response = getattr(client, method)(url, data)
        if method == "get" and "/edit" not in url:
            assert response.status_code in (200, 302), url  # the page, feeds, hub redirect
        else:
            assert response.status_code == 403, (method, url)
    assert snapshot() == before
    assert SECRET_TEXT in client.get(c.get_absolute_url()).content.decode()  # public note


def test_the_owner_sees_it_and_its_page_has_no_feed_while_private(client, alice, secret):
    c, _ = secret
    client.force_login(alice)
    response = client.get(c.get_absolute_url())
    assert response.status_code == 200 and SECRET in response.content.decode()
    assert b"application/rss+xml" not in response.content
    assert client.get(f"{c.get_absolute_url()}.rss").status_code == 404  # feed readers: nobody


def test_private_notes_are_their_writers_only(client, bob, secret):
    _, papers = secret
    client.force_login(bob)
    services.save(member=bob, paper=papers[0])
    for url in ("/library", papers[0].get_absolute_url()):
        assert SECRET_TEXT not in client.get(url).content.decode()
    assert SavedPaper.objects.get(member=bob).note == ""


def test_services_refuse_a_visitor(secret):
    c, papers = secret
    with pytest.raises(services.Refused) as exc:
        services.collection_by_id(c.pk, viewer=AnonymousUser())
    assert exc.value.status == 404


def api_routes(c, papers) -> list[tuple[str, str, dict | None]]:
    base = f"/api/collections/alice/{c.slug}-{c.hub_id}"
    item = c.items.in_order().first().pk
    return [
        ("get", base, None),
        ("get", f"{base}/export.bib", None),
        ("get", f"{base}/export.ris", None),
        ("get", f"{base}/export.json", None),
        ("patch", base, {"title": "Mine now", "private": False}),
        ("delete", base, None),
        ("post", f"{base}/items", {"item": {"type": "paper", "id": make_paper().arxiv_id}}),
        ("patch", f"{base}/items/{item}", {"note": "defaced", "position": 1}),
        ("delete", f"{base}/items/{item}", None),
    ]


@pytest.mark.parametrize("who", ["bob", "charlie", "visitor"])
def test_the_api_hides_a_private_collection_from_other_tokens(client, bob, charlie, secret, who):
    import json

    from paperboy.accounts.tokens import ApiToken

    c, papers = secret
    headers = {}
    if who != "visitor":
        user = {"bob": bob, "charlie": charlie}[who]
        _, raw = ApiToken.issue(user=user, name="scripts")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    before = snapshot()
    for method, url, body in api_routes(c, papers):
        kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body else {}
        response = getattr(client, method)(url, **kwargs, **headers)
        if who == "visitor" and method != "get":
            assert response.status_code == 401, (method, url)
        else:
            assert response.status_code == 404, (method, url, response.content[:200])
        body_text = response.content.decode()
        assert SECRET not in body_text and SECRET_TEXT not in body_text, (method, url)
    for url in ("/api/collections", "/api/collections?owner=alice", "/api/library"):
        response = client.get(url, **headers)
        assert SECRET not in response.content.decode(), url
        assert SECRET_TEXT not in response.content.decode(), url
    assert snapshot() == before
    # The same addresses answer the owner's token: the 404s above are the privacy rule's.
    _, raw = ApiToken.issue(user=c.member, name="mine")
    for _method, url, _ in api_routes(c, papers)[:4]:
        response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 200, url
        assert url.endswith((".bib", ".ris", ".json")) or SECRET in response.content.decode()


def test_a_collection_made_private_leaves_the_page_cache_at_once(
    client, alice, bob, secret, settings, django_capture_on_commit_callbacks
):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 300
    settings.PAPERBOY_PAGE_SIZE = 1
    c, _ = secret
    services.update_collection(c, by=alice, public=True)
    url = c.get_absolute_url()
    for path in (url, f"{url}?p=2"):
        assert SECRET in client.get(path).content.decode()  # the visitors' copy is made
    client.force_login(bob)
    assert SECRET in client.get(url).content.decode()  # bob is served that copy
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_collection(c, by=alice, public=False)
    for path in (url, f"{url}?p=2"):
        response = client.get(path)
        assert response.status_code == 404 and SECRET not in response.content.decode(), path
    client.force_login(bob)
    assert client.get(url).status_code == 404
    services.update_collection(c, by=alice, public=True)
    client.logout()
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_collection(c, by=alice)
    assert client.get(url).status_code == 404


def test_a_collection_made_private_is_gone_at_every_address_of_its_page(
    client, alice, bob, secret, settings, django_capture_on_commit_callbacks
):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 300
    c, _ = secret
    services.update_collection(c, by=alice, public=True)
    url = c.get_absolute_url()
    odd = [f"{url}?utm=x", f"{url}?p=1&x=y", f"{url}?p=01"]
    for path in odd[:2]:
        assert SECRET in client.get(path).content.decode(), path  # a visitor reads it there
    client.force_login(bob)
    assert SECRET in client.get(odd[2]).content.decode()  # a member, as a visitor would
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_collection(c, by=alice, public=False)
    for path in odd:
        response = client.get(path)
        assert response.status_code == 404 and SECRET not in response.content.decode(), path
    services.update_collection(c, by=alice, public=True)
    assert SECRET in client.get(odd[0]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_collection(c, by=alice)
    assert client.get(odd[0]).status_code == 404


def test_an_editor_always_sees_the_page_as_it_is_now(client, alice, secret, settings):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 300
    c, papers = secret
    services.update_collection(c, by=alice, public=True)
    url = c.get_absolute_url()
    client.get(url)  # a visitor's copy, in the old order
    client.force_login(alice)
    services.move_item(c, by=alice, paper=papers[1], to=0)
    response = client.get(url)
    assert response.context is not None and response.context["editable"]
    shown = [card.paper.pk for _, card, _, _ in response.context["rows"]]
    assert shown == [papers[1].pk, papers[0].pk]
