"""GET /u/<username> and POST /claims/<pk>/visibility: claimed papers on the profile."""

from paperboy.accounts.models import AuthorClaim
from paperboy.testing import make_paper


def claim(user, title, status="approved", **kw):
    paper = make_paper(title=title, authors=["Ada Lovelace"], **kw)
    author = paper.authors.get()
    return AuthorClaim.objects.create(user=user, paper=paper, author=author, status=status)


def test_a_profile_lists_approved_visible_claims(client, alice, charlie):
    claim(alice, "Approved paper")
    claim(alice, "Pending paper", status="pending")
    claim(alice, "Hidden-from-profile paper").__class__.objects.filter(
        paper__title="Hidden-from-profile paper"
    ).update(show_on_profile=False)
    claim(alice, "Hidden paper", hidden=True)
    client.force_login(charlie)

    html = client.get("/u/alice").content.decode()

    assert "Alice Liddell" in html and "Example Lab" in html
    assert "Approved paper" in html
    for absent in ("Pending paper", "Hidden-from-profile paper", "Hidden paper"):
        assert absent not in html


def test_the_owner_sees_every_claim_and_toggles_show_on_profile(client, alice, bob):
    shown = claim(alice, "Approved paper")
    claim(alice, "Pending paper", status="pending")
    client.force_login(alice)

    html = client.get("/u/alice").content.decode()
    assert "Pending paper" in html and "Hide from profile" in html

    response = client.post(f"/claims/{shown.pk}/visibility", {"show": "0"})
    assert response.status_code == 302
    shown.refresh_from_db()
    assert not shown.show_on_profile
    client.force_login(bob)
    assert "Approved paper" not in client.get("/u/alice").content.decode()


def test_nobody_toggles_someone_elses_claim(client, alice, bob):
    shown = claim(alice, "Approved paper")
    client.force_login(bob)

    assert client.post(f"/claims/{shown.pk}/visibility", {"show": "0"}).status_code == 404
    shown.refresh_from_db()
    assert shown.show_on_profile


def test_unknown_and_banned_users_have_no_profile(client, alice):
    assert client.get("/u/nobody").status_code == 404
    alice.is_active = False
    alice.save()
    assert client.get("/u/alice").status_code == 404
