"""Personal tokens for the API and for private feed URLs, stored as SHA-256 digests. A
member's credential, so the accounts app owns it (the API and the private feeds read it).

A token is shown once, when it is created; only its digest and a short prefix (to tell tokens
apart in the settings page) are kept. Tokens are 32 random bytes, so a fast hash is enough: there
is nothing to brute-force the way there is with a password.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "pb_"
# last_used_at is written at most this often per token, so reads stay reads.
TOUCH_EVERY = timedelta(minutes=5)


def digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8", "surrogatepass")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        API = "api", "API: submit and upvote papers"
        FEED = "feed", "Private feed URL (read only)"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.API)
    prefix = models.CharField(max_length=16, help_text="The first characters, for display.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        db_table = "api_apitoken"  # created by the api app; accounts took it over in place
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, user, name: str, scope: str = Scope.API) -> tuple[ApiToken, str]:
        """Create a token; returns it with its plaintext, which is never stored."""
        plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            scope=scope,
            prefix=plaintext[:10],
            digest=digest(plaintext),
        )
        return token, plaintext

    @classmethod
    def authenticate(cls, plaintext: str, *, scope: str) -> ApiToken | None:
        """The active token of this scope with this plaintext, or None."""
        if not plaintext or len(plaintext) > 200 or not plaintext.startswith(TOKEN_PREFIX):
            return None
        token = (
            cls.objects.active()
            .select_related("user")
            .filter(digest=digest(plaintext), scope=scope)
            .first()
        )
        if token is not None:
            token.touch()
        return token

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def touch(self) -> None:
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            ApiToken.objects.filter(pk=self.pk, revoked_at__isnull=True).update(
                revoked_at=self.revoked_at
            )
