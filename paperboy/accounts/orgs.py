"""Organization workflows: creating one, inviting by email, accepting, managing members; what
the organization page's header says about the reader (``org_header``).

Rules: whoever creates an organization is its first admin. Admins edit it, invite people (as
members or admins), change roles and remove members. An organization always keeps at least one
admin. An invitation is accepted by a signed-in user holding that email address, verified.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from paperboy.accounts.models import Follow, Invitation, Membership
from paperboy.lib.outbox import send_later
from paperboy.papers.models import Organization


class OrgRefused(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def create(*, user, form) -> Organization:
    with transaction.atomic():
        organization = form.save()
        Membership.objects.create(organization=organization, user=user, role=Membership.Role.ADMIN)
    return organization


def require_admin(organization: Organization, user) -> None:
    if not organization.is_admin(user):
        raise OrgRefused(f"Only the admins of {organization.name} can do that.", status=403)


def invite(*, organization: Organization, by, email: str, role: str) -> Invitation:
    require_admin(organization, by)
    email = email.strip().lower()
    if organization.memberships.filter(user__email__iexact=email).exists():
        raise OrgRefused(f"{email} is already a member of {organization.name}.", status=409)
    if organization.invitations.open().filter(email__iexact=email).exists():
        raise OrgRefused(f"{email} has already been invited.", status=409)
    invitation = Invitation.objects.create(
        organization=organization, email=email, role=role, invited_by=by
    )
    link = settings.SITE_URL + invitation.get_absolute_url()
    send_later(
        EmailMessage(
            subject=f"[{settings.SITE_NAME}] Join {organization.name}",
            body=(
                f"{by.display_name} invites you to join {organization.name} on "
                f"{settings.SITE_NAME} as {invitation.get_role_display().lower()}.\n\n"
                f"Accept the invitation here (sign in or sign up with {email}):\n{link}\n"
            ),
            to=[email],
        )
    )
    return invitation


def accept(*, invitation: Invitation, user) -> Membership:
    if invitation.accepted_at is not None:
        raise OrgRefused("This invitation has already been used.", status=410)
    holds = EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists()
    if not holds:
        raise OrgRefused(
            f"This invitation was sent to {invitation.email}. Sign in with that address "
            "(verified) to accept it.",
            status=403,
        )
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            organization=invitation.organization, user=user, defaults={"role": invitation.role}
        )
        if not created and invitation.role == Membership.Role.ADMIN:
            membership.role = Membership.Role.ADMIN
            membership.save(update_fields=["role"])
        Invitation.objects.filter(pk=invitation.pk).update(
            accepted_at=timezone.now(), accepted_by=user
        )
    return membership


def _other_admins(organization: Organization, user_id: int) -> bool:
    return (
        organization.memberships.filter(role=Membership.Role.ADMIN)
        .exclude(user_id=user_id)
        .exists()
    )


def set_role(*, organization: Organization, by, user_id: int, role: str) -> None:
    require_admin(organization, by)
    if role not in Membership.Role.values:
        raise OrgRefused("Unknown role.")
    membership = organization.memberships.filter(user_id=user_id).first()
    if membership is None:
        raise OrgRefused("That person is not a member.", status=404)
    if role != Membership.Role.ADMIN and not _other_admins(organization, user_id):
        raise OrgRefused(f"{organization.name} needs at least one admin.", status=409)
    membership.role = role
    membership.save(update_fields=["role"])


def remove(*, organization: Organization, by, user_id: int) -> None:
    """An admin removes a member, or a member leaves (``by`` is that member)."""
    if by.pk != user_id:
        require_admin(organization, by)
    membership = organization.memberships.filter(user_id=user_id).first()
    if membership is None:
        raise OrgRefused("That person is not a member.", status=404)
    if membership.role == Membership.Role.ADMIN and not _other_admins(organization, user_id):
        raise OrgRefused(f"{organization.name} needs at least one admin.", status=409)
    membership.delete()


def cancel_invitation(*, organization: Organization, by, invitation_id: int) -> None:
    require_admin(organization, by)
    deleted, _ = organization.invitations.open().filter(pk=invitation_id).delete()
    if not deleted:
        raise OrgRefused("There is no such open invitation.", status=404)


def org_header(organization: Organization, *, reader) -> dict:
    """The organization page header's facts about the reader: whether they follow it and their
    role in it (2 queries when signed in, none for visitors)."""
    if not reader.is_authenticated:
        return {"following": False, "org_role": ""}
    return {
        "following": Follow.objects.filter(user=reader, organization=organization).exists(),
        "org_role": organization.role_of(reader),
    }
