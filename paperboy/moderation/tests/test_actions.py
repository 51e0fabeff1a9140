"""Moderation actions change the site and always write the audit log."""

import pytest

from paperboy.accounts.models import AuthorClaim, Follow
from paperboy.comments import discussion
from paperboy.comments.models import Report
from paperboy.moderation import actions
from paperboy.moderation.models import AuditLog
from paperboy.papers.models import Author, PaperAuthor
from paperboy.testing import PASSWORD, make_entry, make_paper, make_user


@pytest.fixture
def moderator(db):
    return make_user("mod", is_staff=True, is_superuser=True)


def test_hiding_a_paper_takes_it_off_the_lists_and_is_logged(client, moderator):
    paper = make_paper(title="Spam paper")
    entry = make_entry(paper)

    actions.set_hidden(actor=moderator, papers=[paper], hidden=True, reason="spam")

    day = entry.day.isoformat()
    assert "Spam paper" not in client.get(f"/papers/date/{day}").content.decode()
    assert client.get(paper.get_absolute_url()).status_code == 404
    log = AuditLog.objects.get()
    assert (log.actor, log.action, log.target_id, log.reason) == (
        moderator,
        "hide_paper",
        str(paper.pk),
        "spam",
    )


def test_removing_a_comment_recounts_resolves_reports_and_logs(moderator, alice, bob):
    paper = make_paper()
    comment = discussion.post(user=alice, paper=paper, body="rude")
    discussion.post(user=bob, paper=paper, body="reply", parent=comment)
    Report.objects.create(comment=comment, reporter=bob, reason="abuse")

    actions.remove_comment(actor=moderator, comment=comment, reason="abuse")

    paper.refresh_from_db()
    assert paper.comments_count == 1
    assert not Report.objects.open().exists()
    nodes = discussion.thread(paper, viewer=bob, author_ids=set())
    assert nodes[0].comment.removed and nodes[0].replies  # the reply stays under [removed]
    log = AuditLog.objects.get()
    assert log.details["author"] == "alice" and log.details["body"] == "rude"


def test_a_banned_user_cannot_sign_in(client, moderator, alice):
    actions.set_banned(actor=moderator, user=alice, banned=True, reason="spammer")

    alice.refresh_from_db()
    assert not alice.is_active
    assert not client.login(username="alice", password=PASSWORD)
    assert AuditLog.objects.get().action == "ban_user"


def test_nobody_bans_themselves(moderator):
    with pytest.raises(actions.ModerationError):
        actions.set_banned(actor=moderator, user=moderator, banned=True, reason="oops")
    moderator.refresh_from_db()
    assert moderator.is_active and not AuditLog.objects.exists()


def test_merging_authors_moves_papers_follows_and_claims(moderator, alice, bob):
    one = make_paper(authors=["A. Lovelace"])
    two = make_paper(authors=["Ada Lovelace"])
    short, full = Author.objects.get(name="A. Lovelace"), Author.objects.get(name="Ada Lovelace")
    Follow.objects.create(user=alice, author=short)
    Follow.objects.create(user=alice, author=full)
    Follow.objects.create(user=bob, author=short)
    AuthorClaim.objects.create(user=bob, paper=one, author=short, status="approved")

    actions.merge_authors(actor=moderator, keep=full, duplicates=[short], reason="same person")

    assert not Author.objects.filter(name="A. Lovelace").exists()
    assert set(PaperAuthor.objects.filter(author=full).values_list("paper", flat=True)) == {
        one.pk,
        two.pk,
    }
    assert Follow.objects.filter(author=full).count() == 2
    assert AuthorClaim.objects.get().author == full
    log = AuditLog.objects.get()
    assert log.action == "merge_authors" and log.details["merged"] == ["A. Lovelace"]


def test_merging_needs_another_author(moderator):
    make_paper(authors=["Solo"])
    solo = Author.objects.get(name="Solo")
    with pytest.raises(actions.ModerationError):
        actions.merge_authors(actor=moderator, keep=solo, duplicates=[solo], reason="x")


def test_deciding_a_claim_is_logged(moderator, alice):
    paper = make_paper(authors=["Ada Lovelace"])
    claim = AuthorClaim.objects.create(user=alice, paper=paper, author=paper.authors.get())

    actions.decide_claim(actor=moderator, claim=claim, approve=False, reason="no evidence")

    claim.refresh_from_db()
    assert claim.status == "rejected" and claim.decision_note == "no evidence"
    assert claim.decided_by == moderator
    assert AuditLog.objects.get().action == "reject_claim"


def test_approving_a_claim_on_an_author_someone_holds_is_refused(moderator, alice, bob):
    paper = make_paper(authors=["Ada Lovelace"])
    ada = paper.authors.get()
    AuthorClaim.objects.create(user=bob, paper=paper, author=ada, status="approved")
    claim = AuthorClaim.objects.create(user=alice, paper=paper, author=ada)

    with pytest.raises(actions.ModerationError, match="already claimed by @bob"):
        actions.decide_claim(actor=moderator, claim=claim, approve=True, reason="looks right")

    claim.refresh_from_db()
    assert claim.status == "pending" and not AuditLog.objects.exists()


def test_names_side_by_side_on_a_paper_are_not_merged(moderator):
    paper = make_paper(arxiv_id="2510.70002", authors=["J. Smith", "John Smith"])
    short, full = Author.objects.get(name="J. Smith"), Author.objects.get(name="John Smith")

    with pytest.raises(actions.ModerationError, match="side by side on 2510.70002"):
        actions.merge_authors(actor=moderator, keep=full, duplicates=[short], reason="same")

    assert Author.objects.filter(pk=short.pk).exists()
    assert list(paper.authors.order_by("name")) == [short, full]
    assert not AuditLog.objects.exists()


def test_a_merge_that_would_give_one_author_two_accounts_is_refused(moderator, alice, bob):
    paper = make_paper(arxiv_id="2510.70003", authors=["A. Lovelace"])
    make_paper(arxiv_id="2510.70004", authors=["Ada Lovelace"])
    short, full = Author.objects.get(name="A. Lovelace"), Author.objects.get(name="Ada Lovelace")
    AuthorClaim.objects.create(user=alice, paper=paper, author=short, status="approved")
    # Bob once held the full name on the same paper (an older import listed it so).
    AuthorClaim.objects.create(user=bob, paper=paper, author=full, status="approved")

    with pytest.raises(actions.ModerationError, match="reject one of them first"):
        actions.merge_authors(actor=moderator, keep=full, duplicates=[short], reason="same")

    assert Author.objects.filter(pk=short.pk).exists() and not AuditLog.objects.exists()


def test_visitors_stop_seeing_a_hidden_paper_or_removed_comment_at_once(
    client, settings, moderator, alice, django_capture_on_commit_callbacks
):
    settings.PAPERBOY_LIST_CACHE_SECONDS = 300
    paper = make_paper(arxiv_id="2510.70010", title="Cached for visitors")
    other = make_paper(arxiv_id="2510.70011")
    comment = discussion.post(user=alice, paper=other, body="buy cheap pills")
    assert client.get("/papers/2510.70010").status_code == 200  # now cached
    assert "cheap pills" in client.get("/papers/2510.70011").content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # the cache is dropped on commit
        actions.set_hidden(actor=moderator, papers=[paper], hidden=True, reason="spam")
        actions.remove_comment(actor=moderator, comment=comment, reason="spam")

    assert client.get("/papers/2510.70010").status_code == 404
    assert "cheap pills" not in client.get("/papers/2510.70011").content.decode()


def test_a_ban_signs_the_member_out_and_stops_their_tokens(client, moderator, alice):
    from paperboy.accounts.tokens import ApiToken

    _, token = ApiToken.issue(user=alice, name="laptop")
    client.force_login(alice)
    assert client.get("/following").status_code == 200
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/whoami-v2", **bearer).status_code == 200

    actions.set_banned(actor=moderator, user=alice, banned=True, reason="spammer")

    response = client.get("/following")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/api/whoami-v2", **bearer).status_code == 401
    paper = make_paper(arxiv_id="2510.70020")
    client.force_login(alice)  # even a session made anyway is refused
    assert client.post("/papers/2510.70020/comments", {"body": "still here"}).status_code == 302
    assert not paper.comments.exists()
