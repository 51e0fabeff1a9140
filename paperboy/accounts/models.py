"""Users, organizations and what ties them together: memberships, invitations, follows and
authorship claims. The rules (who may do what) live here as model methods; the workflows that
touch several models live in ``accounts/claims.py`` and ``accounts/orgs.py``."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from paperboy.lib.weblinks import http_url_check, validate_link
from paperboy.papers.models import Organization, Paper


class User(AbstractUser):
    """A member. Email verification and login are handled by django-allauth."""

    bio = models.TextField(blank=True, max_length=1000)
    website = models.URLField(blank=True, max_length=300, validators=[validate_link])

    class Meta(AbstractUser.Meta):
        constraints = [
            models.CheckConstraint(condition=http_url_check("website"), name="user_website_http")
        ]

    def __str__(self) -> str:
        return self.username

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", args=[self.username])

    @property
    def organizations(self) -> models.QuerySet[Organization]:
        """The organizations this member belongs to (any role)."""
        return Organization.objects.filter(memberships__user=self)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def verified_domains(self) -> set[str]:
        from allauth.account.models import EmailAddress

        emails = EmailAddress.objects.filter(user=self, verified=True).values_list(
            "email", flat=True
        )
        return {e.rsplit("@", 1)[-1].lower() for e in emails if "@" in e}


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "-role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"


def _token() -> str:
    return secrets.token_urlsafe(24)


class InvitationQuerySet(models.QuerySet):
    def open(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True)


class Invitation(models.Model):
    """An emailed invitation to join an organization; accepted by a user with that email."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(
        max_length=16, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    token = models.CharField(max_length=64, unique=True, default=_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:invitation", args=[self.token])


class FollowQuerySet(models.QuerySet):
    def author_ids(self, user) -> set[int]:
        return set(self.filter(user=user, author__isnull=False).values_list("author_id", flat=True))


class Follow(models.Model):
    """A user follows an organization or an author (exactly one of the two)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    author = models.ForeignKey(
        "papers.Author", null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(organization__isnull=False) & Q(author__isnull=True))
                | (Q(organization__isnull=True) & Q(author__isnull=False)),
                name="follow_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=Q(organization__isnull=False),
                name="follow_org_once",
            ),
            models.UniqueConstraint(
                fields=["user", "author"],
                condition=Q(author__isnull=False),
                name="follow_author_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.organization or self.author}"


def following_papers(user):
    """Visible papers from the organizations and authors ``user`` follows, newest first.

    One QuerySet for the "Following" page, digests' personal section and recommendations.
    """
    follows = Follow.objects.filter(user=user)
    orgs = follows.filter(organization__isnull=False).values("organization_id")
    authors = follows.filter(author__isnull=False).values("author_id")
    return (
        Paper.objects.visible()
        .filter(
            Q(organization__in=orgs)
            | Q(daily__organization__in=orgs)
            | Q(pk__in=Paper.authors.through.objects.filter(author__in=authors).values("paper"))
        )
        .order_by("-published_at", "-pk")
    )


class AuthorClaimQuerySet(models.QuerySet):
    def approved(self) -> AuthorClaimQuerySet:
        return self.filter(status=AuthorClaim.Status.APPROVED)

    def pending(self) -> AuthorClaimQuerySet:
        return self.filter(status=AuthorClaim.Status.PENDING)

    def on_profile(self) -> AuthorClaimQuerySet:
        return self.approved().filter(show_on_profile=True, paper__hidden=False)


class AuthorClaim(models.Model):
    """ "I am this author of this paper." Approved automatically by a rule or by an admin."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claims"
    )
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="claims")
    author = models.ForeignKey("papers.Author", on_delete=models.CASCADE, related_name="claims")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    note = models.TextField(blank=True, max_length=1000, help_text="From the claimant.")
    decision_note = models.TextField(blank=True, max_length=1000, help_text="From the admin.")
    auto_rule = models.CharField(
        max_length=200, blank=True, help_text="The rule that approved it automatically."
    )
    show_on_profile = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AuthorClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "paper"], name="claim_one_per_paper"),
            models.UniqueConstraint(
                fields=["paper", "author"],
                condition=Q(status="approved"),
                name="claim_one_approved_author",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.author} on {self.paper_id} ({self.status})"

    def decide(self, *, approve: bool, by, note: str = "") -> None:
        self.status = self.Status.APPROVED if approve else self.Status.REJECTED
        self.decided_by = by
        self.decided_at = timezone.now()
        if note:
            self.decision_note = note
        self.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


# Defined in its own module, registered here with the app's other models.
from paperboy.accounts.tokens import ApiToken  # noqa: E402, F401
