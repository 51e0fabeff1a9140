"""POST /papers/<arxiv_id>/comments: comment and reply, with or without htmx."""

import pytest

from paperboy.comments.models import Comment
from paperboy.lib.tests.test_markdown import XSS, assert_safe
from paperboy.testing import make_paper

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def paper(db):
    return make_paper(arxiv_id="2510.10001", title="Discussed paper")


def test_a_member_comments_with_htmx_and_gets_the_thread_back(client, alice, paper):
    client.force_login(alice)

    response = client.post("/papers/2510.10001/comments", {"body": "Great! $x^2$ **bold**"}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>bold</strong>" in html and "$x^2$" in html
    assert "1 comment" in html
    assert "<html" not in html  # a fragment
    paper.refresh_from_db()
    assert paper.comments_count == 1


def test_a_reply_without_javascript_redirects_to_it(client, alice, bob, paper):
    top = Comment.objects.create(paper=paper, user=alice, body="top", html="<p>top</p>")
    client.force_login(bob)

    response = client.post("/papers/2510.10001/comments", {"body": "reply", "parent": top.pk})

    reply = Comment.objects.get(parent=top)
    assert response.status_code == 302
    assert response["Location"] == f"/papers/2510.10001#comment-{reply.pk}"


def test_the_paper_page_shows_the_thread(client, alice, bob, paper):
    client.force_login(alice)
    client.post("/papers/2510.10001/comments", {"body": "first <script>x</script>"})
    top = Comment.objects.get()
    client.post("/papers/2510.10001/comments", {"body": "second", "parent": top.pk})

    html = client.get("/papers/2510.10001").content.decode()

    assert "2 comments" in html
    assert "&lt;script&gt;" in html and "<script>x" not in html
    assert html.index(f'id="comment-{top.pk}"') < html.index("second")


def test_the_comment_box_offers_the_papers_verified_authors_to_mention(client, bob, paper):
    from paperboy.accounts.models import AuthorClaim

    first, second = paper.authorships.all()[:2]
    AuthorClaim.objects.create(user=bob, paper=paper, author=first.author, status="approved")
    client.force_login(bob)

    html = client.get("/papers/2510.10001").content.decode()

    assert f'data-mention="@bob" title="Mention {first.author.name} (@bob)"' in html
    assert "Ask the authors" in html


def test_a_banned_members_comments_no_longer_link_to_a_profile(client, alice, bob, paper):
    Comment.objects.create(paper=paper, user=bob, body="spam", html="<p>spam</p>")
    bob.is_active = False
    bob.save()
    client.force_login(alice)

    html = client.get("/papers/2510.10001").content.decode()

    assert 'title="This account has been suspended">bob</span>' in html
    assert 'href="/u/bob"' not in html


def test_a_visitor_is_sent_to_sign_in(client, paper):
    response = client.post("/papers/2510.10001/comments", {"body": "hi"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Comment.objects.exists()


def test_an_oversized_comment_is_a_400_that_keeps_the_draft(client, alice, paper, settings):
    settings.PAPERBOY_COMMENT_MAX_CHARS = 50
    client.force_login(alice)

    response = client.post("/papers/2510.10001/comments", {"body": "y" * 51}, **HTMX)

    assert response.status_code == 400
    html = response.content.decode()
    assert "at most 50 characters" in html and "y" * 51 in html
    assert not Comment.objects.exists()


def test_a_reply_to_a_missing_comment_is_a_404(client, alice, paper):
    client.force_login(alice)

    response = client.post("/papers/2510.10001/comments", {"body": "x", "parent": "999"})

    assert response.status_code == 404
    assert "does not exist" in response.content.decode()
    assert not Comment.objects.exists()


def test_hidden_and_unknown_papers_take_no_comments(client, alice, db):
    make_paper(arxiv_id="2510.10002", hidden=True)
    client.force_login(alice)

    assert client.post("/papers/2510.10002/comments", {"body": "x"}).status_code == 404
    assert client.post("/papers/2510.99999/comments", {"body": "x"}).status_code == 404
    assert not Comment.objects.exists()


def test_too_many_comments_are_refused_with_a_clear_message(client, alice, paper, settings):
    settings.PAPERBOY_RATE_LIMITS = {"comment": {"user": "2/m", "ip": "100/m"}}
    client.force_login(alice)
    for n in range(2):
        client.post("/papers/2510.10001/comments", {"body": f"c{n}"}, **HTMX)

    response = client.post("/papers/2510.10001/comments", {"body": "third"}, **HTMX)

    assert response.status_code == 429
    assert "at most 2 comments per minute from one account" in response.content.decode()
    assert Comment.objects.count() == 2


def test_the_ip_limit_catches_several_accounts(client, alice, bob, paper, settings):
    settings.PAPERBOY_RATE_LIMITS = {"comment": {"user": "100/m", "ip": "2/m"}}
    client.force_login(alice)
    client.post("/papers/2510.10001/comments", {"body": "a"})
    client.force_login(bob)
    client.post("/papers/2510.10001/comments", {"body": "b"})

    response = client.post("/papers/2510.10001/comments", {"body": "c"})

    assert response.status_code == 429
    assert "network address" in response.content.decode()
    assert Comment.objects.count() == 2


def test_a_refusal_without_javascript_is_a_page_with_the_draft(client, alice, paper):
    client.force_login(alice)

    response = client.post("/papers/2510.10001/comments", {"body": "   "})

    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" in html and "A comment cannot be empty." in html
    assert 'href="/papers/2510.10001"' in html


def test_a_moderated_comment_with_replies_shows_as_removed(client, alice, bob, paper):
    top = Comment.objects.create(paper=paper, user=alice, body="rude", html="<p>rude</p>")
    Comment.objects.create(paper=paper, user=bob, parent=top, body="calm", html="<p>calm</p>")
    Comment.objects.filter(pk=top.pk).update(removed=True)

    html = client.get("/papers/2510.10001").content.decode()

    assert "[removed by a moderator]" in html and "rude" not in html and "calm" in html


@pytest.mark.parametrize("source", XSS)
def test_hostile_comments_are_neutralised_on_the_page(client, alice, paper, source):
    client.force_login(alice)

    response = client.post("/papers/2510.10001/comments", {"body": source}, **HTMX)

    assert response.status_code == 200
    comment = Comment.objects.get()
    assert comment.body == source.strip()  # kept as written, rendered safely
    assert_safe(comment.html)
    page = client.get("/papers/2510.10001").content.decode()
    assert f'<div class="comment-body math prose">{comment.html}</div>' in page
