"""Moderation in the Django admin: every action asks why, then writes the audit log."""

import pytest

from paperboy.accounts.models import AuthorClaim
from paperboy.comments import discussion
from paperboy.moderation.models import AuditLog
from paperboy.papers.models import Author
from paperboy.testing import make_paper, make_user


@pytest.fixture
def admin_client(client, db):
    client.force_login(make_user("mod", is_staff=True, is_superuser=True))
    return client


def act(client, url, action, ids, **extra):
    return client.post(url, {"action": action, "_selected_action": ids, **extra})


def test_hiding_asks_why_first_and_changes_nothing_until_confirmed(admin_client):
    paper = make_paper()

    response = act(admin_client, "/admin/papers/paper/", "hide", [paper.pk])

    assert response.status_code == 200
    assert "Why? (written to the audit log)" in response.content.decode()
    paper.refresh_from_db()
    assert not paper.hidden and not AuditLog.objects.exists()


def test_hiding_with_a_reason_hides_and_logs(admin_client):
    paper = make_paper()

    response = act(
        admin_client, "/admin/papers/paper/", "hide", [paper.pk], confirm="yes", reason="spam"
    )

    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.hidden
    assert AuditLog.objects.get().reason == "spam"


def test_a_blank_reason_is_refused(admin_client):
    paper = make_paper()

    act(admin_client, "/admin/papers/paper/", "hide", [paper.pk], confirm="yes", reason=" ")

    paper.refresh_from_db()
    assert not paper.hidden and not AuditLog.objects.exists()


def test_removing_a_comment_and_banning_a_user(admin_client, alice):
    comment = discussion.post(user=alice, paper=make_paper(), body="spam spam")

    act(admin_client, "/admin/comments/comment/", "remove", [comment.pk], confirm="1", reason="r")
    act(admin_client, "/admin/accounts/user/", "ban", [alice.pk], confirm="1", reason="spammer")

    comment.refresh_from_db()
    alice.refresh_from_db()
    assert comment.removed and not alice.is_active
    assert set(AuditLog.objects.values_list("action", flat=True)) == {"remove_comment", "ban_user"}


def test_merging_authors_keeps_the_chosen_one(admin_client):
    make_paper(authors=["A. Turing"])
    make_paper(authors=["Alan Turing"])
    short, full = Author.objects.get(name="A. Turing"), Author.objects.get(name="Alan Turing")

    act(
        admin_client,
        "/admin/papers/author/",
        "merge",
        [short.pk, full.pk],
        confirm="1",
        reason="same",
        keep=full.pk,
    )

    assert list(Author.objects.values_list("name", flat=True)) == ["Alan Turing"]
    assert full.papers.count() == 2


def test_approving_a_claim(admin_client, alice):
    paper = make_paper(authors=["Ada Lovelace"])
    claim = AuthorClaim.objects.create(user=alice, paper=paper, author=paper.authors.get())

    act(
        admin_client,
        "/admin/accounts/authorclaim/",
        "approve",
        [claim.pk],
        confirm="1",
        reason="checked the homepage",
    )

    claim.refresh_from_db()
    assert claim.status == "approved"
    assert AuditLog.objects.get().action == "approve_claim"


def test_the_audit_log_is_read_only_and_for_staff(admin_client, client, alice):
    assert admin_client.get("/admin/moderation/auditlog/").status_code == 200
    assert admin_client.get("/admin/moderation/auditlog/add/").status_code == 403
    client.force_login(alice)
    response = client.get("/admin/moderation/auditlog/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_approving_two_claims_on_one_author_changes_nothing_and_says_why(admin_client, alice, bob):
    paper = make_paper(arxiv_id="2510.70001", authors=["Ada Lovelace"])
    ada = paper.authors.get()
    claims = [AuthorClaim.objects.create(user=u, paper=paper, author=ada) for u in (alice, bob)]

    response = act(
        admin_client,
        "/admin/accounts/authorclaim/",
        "approve",
        [c.pk for c in claims],
        confirm="1",
        reason="both look right",
    )

    assert response.status_code == 302
    page = admin_client.get(response["Location"]).content.decode()
    assert "Ada Lovelace on 2510.70001 is already claimed by @" in page
    assert set(AuthorClaim.objects.values_list("status", flat=True)) == {"pending"}
    assert not AuditLog.objects.exists()


def test_change_forms_do_not_bypass_the_audited_actions(admin_client, alice, bob):
    paper = make_paper(authors=["Ada Lovelace"])
    claim = AuthorClaim.objects.create(user=alice, paper=paper, author=paper.authors.get())
    comment = discussion.post(user=bob, paper=paper, body="original")

    claim_form = admin_client.get(f"/admin/accounts/authorclaim/{claim.pk}/change/")
    user_form = admin_client.get(f"/admin/accounts/user/{bob.pk}/change/")
    comment_form = admin_client.get(f"/admin/comments/comment/{comment.pk}/change/")

    assert claim_form.status_code == user_form.status_code == comment_form.status_code == 200
    assert 'name="status"' not in claim_form.content.decode()
    assert 'name="is_active"' not in user_form.content.decode()
    assert 'name="body"' not in comment_form.content.decode()
    assert admin_client.get("/admin/comments/comment/add/").status_code == 403
    assert admin_client.post(f"/admin/comments/comment/{comment.pk}/delete/").status_code == 403
    comment.refresh_from_db()  # still there: moderators remove, with a reason


def test_every_moderated_model_has_a_working_admin(admin_client, alice, bob, example_lab):
    from paperboy.comments.models import Report
    from paperboy.testing import make_entry

    paper = make_paper(authors=["Ada Lovelace"])
    entry = make_entry(paper, organization=example_lab)
    comment = discussion.post(user=alice, paper=paper, body="hello")
    claim = AuthorClaim.objects.create(user=alice, paper=paper, author=paper.authors.get())
    report = Report.objects.create(comment=comment, reporter=bob, reason="spam")
    author = paper.authors.get()
    pages = {
        "papers/paper": paper.pk,
        "feed/dailyentry": entry.pk,
        "comments/comment": comment.pk,
        "papers/organization": example_lab.pk,
        "accounts/authorclaim": claim.pk,
        "accounts/user": alice.pk,
        "papers/author": author.pk,
        "comments/report": report.pk,
    }
    for model, pk in pages.items():
        assert admin_client.get(f"/admin/{model}/").status_code == 200, model
        assert admin_client.get(f"/admin/{model}/{pk}/change/").status_code == 200, model
