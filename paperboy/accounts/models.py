"""Users and organizations."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

# Top-level paths an organization slug would shadow in ``/<slug>/papers``.
RESERVED_SLUGS = frozenset(
    [
        "admin",
        "accounts",
        "api",
        "papers",
        "static",
        "media",
        "health",
        "u",
        "settings",
        "search",
        "feeds",
        "digests",
    ]
)


def validate_org_slug(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(f"“{value}” is reserved; choose another slug.")


class User(AbstractUser):
    """A member. Email verification and login are handled by django-allauth."""

    def __str__(self) -> str:
        return self.username


class Organization(models.Model):
    """A lab, company or community that papers are tagged with (``/<slug>/papers``)."""

    slug = models.SlugField(max_length=64, unique=True, validators=[validate_org_slug])
    name = models.CharField("display name", max_length=200)
    avatar_url = models.URLField(blank=True, max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("feed:org", args=[self.slug])

    @property
    def initials(self) -> str:
        words = [w for w in self.name.split() if w[:1].isalnum()]
        return "".join(w[0] for w in words[:2]).upper() or self.slug[:2].upper()
