"""GET /authors/<pk>: an author's papers, who verified them, and a follow button."""

from paperboy.accounts.models import AuthorClaim, Follow
from paperboy.papers.models import Author
from paperboy.test import make_paper


def test_it_lists_the_authors_papers_and_verified_account(client, alice, bob):
    paper = make_paper(title="Notes on the engine", authors=["Ada Lovelace"])
    make_paper(title="Hidden one", authors=["Ada Lovelace"], hidden=True)
    ada = Author.objects.get(name="Ada Lovelace")
    AuthorClaim.objects.create(user=bob, paper=paper, author=ada, status="approved")
    Follow.objects.create(user=alice, author=ada)
    client.force_login(alice)

    html = client.get(f"/authors/{ada.pk}").content.decode()

    assert "Notes on the engine" in html and "Hidden one" not in html
    assert 'href="/u/bob"' in html
    assert 'aria-pressed="true"' in html


def test_an_unknown_author_is_404(client, db):
    assert client.get("/authors/12345").status_code == 404
