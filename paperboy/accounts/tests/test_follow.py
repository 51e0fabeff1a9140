"""POST /follow/org/<slug> and /follow/author/<pk>: follow and unfollow."""

from paperboy.accounts.models import Follow
from paperboy.papers.models import Author
from paperboy.testing import make_paper

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_member_follows_and_unfollows_an_organization(client, alice, example_lab):
    client.force_login(alice)

    response = client.post("/follow/org/example-lab", {"follow": "1"})
    again = client.post("/follow/org/example-lab", {"follow": "1"})

    assert response.status_code == again.status_code == 302
    assert response["Location"] == "/example-lab/papers"
    assert Follow.objects.filter(user=alice, organization=example_lab).count() == 1

    client.post("/follow/org/example-lab", {"follow": "0"})
    assert not Follow.objects.exists()


def test_htmx_gets_the_button_back(client, alice, example_lab):
    client.force_login(alice)

    html = client.post("/follow/org/example-lab", {"follow": "1"}, **HTMX).content.decode()

    assert 'aria-pressed="true"' in html and "Following" in html and "<html" not in html


def test_a_stranger_follows_an_author(client, charlie, db):
    make_paper(authors=["Ada Lovelace"])
    ada = Author.objects.get(name="Ada Lovelace")
    client.force_login(charlie)

    response = client.post(f"/follow/author/{ada.pk}", {"follow": "1"})

    assert response.status_code == 302
    assert Follow.objects.filter(user=charlie, author=ada).exists()


def test_a_visitor_is_sent_to_sign_in(client, example_lab):
    response = client.post("/follow/org/example-lab", {"follow": "1"})

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Follow.objects.exists()


def test_unknown_targets_are_404(client, alice):
    client.force_login(alice)
    assert client.post("/follow/org/nope", {"follow": "1"}).status_code == 404
    assert client.post("/follow/author/9999", {"follow": "1"}).status_code == 404
    assert not Follow.objects.exists()


def test_following_takes_a_post(client, alice, example_lab):
    client.force_login(alice)
    assert client.get("/follow/org/example-lab").status_code == 405
