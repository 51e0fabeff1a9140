"""/orgs/<slug>/members and /invitations/<token>: roles, invitations by email, leaving."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from paperboy.accounts.models import Invitation, Membership
from paperboy.testing import deliver_queued_mail, make_user


def test_members_see_the_list_strangers_do_not(client, alice, bob, charlie, example_lab):
    client.force_login(bob)
    html = client.get("/orgs/example-lab/members").content.decode()
    assert "Alice Liddell" in html and "Bob Marley" in html
    assert "Invite someone" not in html  # bob is a plain member

    client.force_login(charlie)
    assert client.get("/orgs/example-lab/members").status_code == 403


def test_an_admin_invites_by_email_and_the_invitee_joins(
    client, alice, example_lab, django_capture_on_commit_callbacks
):
    client.force_login(alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/orgs/example-lab/members",
            {"action": "invite", "email": "dana@example.org", "role": "member"},
        )

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert not mail.outbox  # not sent by the request: queued for the mail worker
    assert deliver_queued_mail() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dana@example.org"]
    assert invitation.get_absolute_url() in mail.outbox[0].body

    dana = make_user("dana", email="dana@example.org")
    client.force_login(dana)
    assert "Join Example Lab" in client.get(invitation.get_absolute_url()).content.decode()
    response = client.post(invitation.get_absolute_url())

    assert response.status_code == 302
    assert Membership.objects.get(user=dana, organization=example_lab).role == "member"
    invitation.refresh_from_db()
    assert invitation.accepted_by == dana
    assert client.post(invitation.get_absolute_url()).status_code == 410  # used once


def test_an_invitation_needs_the_verified_address_it_was_sent_to(client, alice, charlie):
    invitation = Invitation.objects.create(
        organization=alice.organizations.get(), email="charlie@example.net", invited_by=alice
    )
    client.force_login(charlie)  # has that address, but not verified

    response = client.post(invitation.get_absolute_url())

    assert response.status_code == 403
    assert "Sign in with that address" in response.content.decode()
    assert not Membership.objects.filter(user=charlie).exists()

    EmailAddress.objects.filter(user=charlie).update(verified=True)
    assert client.post(invitation.get_absolute_url()).status_code == 302
    assert Membership.objects.filter(user=charlie).exists()


def test_a_plain_member_cannot_invite_remove_or_promote(client, alice, bob, example_lab):
    client.force_login(bob)
    for data in (
        {"action": "invite", "email": "x@example.org", "role": "admin"},
        {"action": "remove", "target": alice.pk},
        {"action": "role", "target": bob.pk, "role": "admin"},
    ):
        assert client.post("/orgs/example-lab/members", data).status_code == 403
    assert not Invitation.objects.exists() and not mail.outbox
    assert example_lab.role_of(bob) == "member" and example_lab.role_of(alice) == "admin"


def test_an_admin_promotes_and_removes_members(client, alice, bob, example_lab):
    client.force_login(alice)

    client.post("/orgs/example-lab/members", {"action": "role", "target": bob.pk, "role": "admin"})
    assert example_lab.role_of(bob) == "admin"
    client.post("/orgs/example-lab/members", {"action": "remove", "target": bob.pk})
    assert example_lab.role_of(bob) == ""


def test_the_last_admin_cannot_leave_or_step_down(client, alice, bob, example_lab):
    client.force_login(alice)

    leave = client.post("/orgs/example-lab/members", {"action": "remove", "target": alice.pk})
    demote = client.post(
        "/orgs/example-lab/members", {"action": "role", "target": alice.pk, "role": "member"}
    )

    assert leave.status_code == demote.status_code == 409
    assert "needs at least one admin" in leave.content.decode()
    assert example_lab.role_of(alice) == "admin"


def test_a_member_leaves(client, alice, bob, example_lab):
    client.force_login(bob)
    response = client.post("/orgs/example-lab/members", {"action": "remove", "target": bob.pk})
    assert response.status_code == 302 and example_lab.role_of(bob) == ""


@pytest.mark.parametrize("email", ["not-an-email", ""])
def test_a_bad_invitation_address_is_refused(client, alice, email):
    client.force_login(alice)
    response = client.post("/orgs/example-lab/members", {"action": "invite", "email": email})
    assert response.status_code == 400 and not Invitation.objects.exists()


def test_inviting_twice_or_a_member_is_refused(client, alice, bob):
    client.force_login(alice)
    data = {"action": "invite", "email": "dana@example.org", "role": "member"}
    client.post("/orgs/example-lab/members", data)
    assert client.post("/orgs/example-lab/members", data).status_code == 409
    member = {"action": "invite", "email": bob.email, "role": "member"}
    assert client.post("/orgs/example-lab/members", member).status_code == 409
    assert Invitation.objects.count() == 1


def test_an_unknown_invitation_is_404(client, db):
    assert client.get("/invitations/nope").status_code == 404


def test_admins_are_listed_first(client, alice, bob, example_lab):
    aaron = make_user("aaron")
    Membership.objects.create(organization=example_lab, user=aaron)
    client.force_login(bob)

    html = client.get("/orgs/example-lab/members").content.decode()

    assert html.index("@alice") < html.index("@aaron") < html.index("@bob")


def test_an_admin_cannot_reach_into_another_organization(client, alice, charlie):
    from paperboy.papers.models import Organization

    other = Organization.objects.create(slug="other-lab", name="Other Lab")
    Membership.objects.create(organization=other, user=charlie, role="admin")
    theirs = Invitation.objects.create(organization=other, email="eve@example.org")
    client.force_login(alice)  # admin of Example Lab only

    # Through her own organization's page, aiming at the other one's people and invitations…
    cancel = client.post("/orgs/example-lab/members", {"action": "cancel", "target": theirs.pk})
    remove = client.post("/orgs/example-lab/members", {"action": "remove", "target": charlie.pk})
    # …and through the other organization's own pages.
    direct = [
        client.post("/orgs/other-lab/members", {"action": "remove", "target": charlie.pk}),
        client.post("/orgs/other-lab/members", {"action": "invite", "email": "x@example.org"}),
        client.post("/orgs/other-lab/edit", {"name": "Taken over"}),
    ]

    assert cancel.status_code == remove.status_code == 404
    assert "no such open invitation" in cancel.content.decode()
    assert [r.status_code for r in direct] == [403, 403, 403]
    other.refresh_from_db()
    assert other.name == "Other Lab" and other.role_of(charlie) == "admin"
    assert list(other.invitations.all()) == [theirs] and not mail.outbox
