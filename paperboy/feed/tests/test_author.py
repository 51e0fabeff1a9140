"""GET /authors/<pk>: an author's papers, who verified them, and a follow button."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperboy.accounts.models import AuthorClaim, Follow
from paperboy.feed import votes
from paperboy.lib import cardstate
from paperboy.papers.models import Author
from paperboy.testing import make_entry, make_paper


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


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_author_page_uses_a_constant_number_of_queries(
    client, alice, bob, example_lab, django_assert_num_queries
):
    paper = make_paper(authors=["Ada Lovelace"], organization=example_lab)
    ada = Author.objects.get(name="Ada Lovelace")
    AuthorClaim.objects.create(user=bob, paper=paper, author=ada, status="approved")
    client.force_login(alice)
    url = f"/authors/{ada.pk}"
    _queries(client, url)  # the user row is read once, then from the cache
    few = _queries(client, url)
    for n in range(5):
        more = make_paper(authors=["Ada Lovelace"], organization=example_lab if n % 2 else None)
        make_entry(more, organization=example_lab, submitted_by=bob)
        votes.upvote(user_id=alice.pk, paper_id=more.pk)

    # the author, the count, the page's papers, who verified them, the follow button; the
    # reader's card state (one per app: feed's upvotes, …); session and user from the cache
    with django_assert_num_queries(5 + cardstate.queries()):
        client.get(url)
    assert _queries(client, url) == few
