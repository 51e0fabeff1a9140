"""GET /following: recent papers from followed organizations and authors."""

from datetime import UTC, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperboy.accounts.models import Follow
from paperboy.feed import votes
from paperboy.lib import cardstate
from paperboy.papers.models import Author, Organization
from paperboy.testing import make_entry, make_paper


def test_it_lists_papers_from_followed_orgs_and_authors_newest_first(client, alice, example_lab):
    other = Organization.objects.create(slug="other", name="Other")
    make_paper(
        title="Lab paper", organization=example_lab, published_at=datetime(2025, 1, 10, tzinfo=UTC)
    )
    make_entry(
        make_paper(title="Tagged on the list", published_at=datetime(2025, 1, 12, tzinfo=UTC)),
        organization=example_lab,
    )
    make_paper(
        title="By Emmy", authors=["Emmy Noether"], published_at=datetime(2025, 1, 11, tzinfo=UTC)
    )
    make_paper(title="Hidden lab paper", organization=example_lab, hidden=True)
    make_paper(title="Unrelated", organization=other, authors=["Someone Else"])
    Follow.objects.create(user=alice, organization=example_lab)
    Follow.objects.create(user=alice, author=Author.objects.get(name="Emmy Noether"))
    client.force_login(alice)

    response = client.get("/following")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Tagged on the list") < html.index("By Emmy") < html.index("Lab paper")
    assert "Hidden lab paper" not in html and "Unrelated" not in html


def test_nothing_followed_explains_how(client, charlie):
    client.force_login(charlie)

    html = client.get("/following").content.decode()

    assert "You don't follow anyone yet" in html


def test_it_needs_an_account(client, db):
    response = client.get("/following")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_following_page_uses_a_constant_number_of_queries(
    client, alice, bob, example_lab, django_assert_num_queries
):
    Follow.objects.create(user=alice, organization=example_lab)
    Follow.objects.create(user=alice, author=Author.objects.create(name="Emmy Noether"))
    client.force_login(alice)
    make_paper(organization=example_lab)
    _queries(client, "/following")  # the user row is read once, then from the cache
    few = _queries(client, "/following")
    for n in range(5):
        paper = make_paper(organization=example_lab if n % 2 else None, authors=["Emmy Noether"])
        make_entry(paper, organization=example_lab, submitted_by=bob)
        votes.upvote(user_id=alice.pk, paper_id=paper.pk)

    # the follows, the count, the page's papers; the reader's card state (one per app: feed's
    # upvotes, …); session and user from the cache
    with django_assert_num_queries(3 + cardstate.queries()):
        client.get("/following")
    assert _queries(client, "/following") == few
