"""A member's library: the papers they saved (``SavedPaper``, the reading list, with a private
note and read state) and collections (``Collection``, ordered ``CollectionItem``s), owned by a
member or by an organization whose members edit them.

Rows are written only by ``library.services``, which holds the rules (lengths, caps, who may
edit); the QuerySets here are the reads the pages, feeds and API share.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from paperboy.lib import limits
from paperboy.papers.models import Organization, Paper

READING_ORDERS = {
    "saved": ("-saved_at", "-id"),
    "published": ("-published_at", "-id"),
    "title": ("title_key", "id"),
}
TITLE_KEY_CHARS = 300


def title_key(title: str) -> str:
    """What the reading list sorts and filters titles by: lower case, the first 300 characters
    (lowered in Python, so both databases agree on every script)."""
    return (title or "").lower()[:TITLE_KEY_CHARS]


def _not_hidden():
    # A subquery over the few (partially indexed) hidden papers, not a join on paper.hidden:
    # the reading list's count and order then walk the member's own index alone.
    return Paper.objects.filter(hidden=True).values("pk")


class SavedPaperQuerySet(models.QuerySet):
    def of(self, member) -> SavedPaperQuerySet:
        """A member's saved papers whose paper is not hidden."""
        return self.filter(member=member).exclude(paper_id__in=_not_hidden())

    def for_cards(self) -> SavedPaperQuerySet:
        """What a reading-list row shows, in one query: the paper and its organization."""
        return self.select_related("paper", "paper__organization").defer(
            "paper__comment", "paper__updated_at"
        )

    def for_reading_list(
        self, member, *, q: str = "", sort: str = "saved", read: str = "all"
    ) -> SavedPaperQuerySet:
        """``/library``: ``member``'s saved papers, ``read`` ("read", "unread" or "all"), whose
        title, note or arXiv id holds ``q``, by ``sort``: "saved" (newest first), "published"
        (arXiv date, newest first) or "title"."""
        rows = self.of(member)
        if read in ("read", "unread"):
            rows = rows.filter(read=read == "read")
        if q:
            rows = rows.filter(
                Q(title_key__contains=q.lower())
                | Q(note__icontains=q)
                | Q(paper_id__in=Paper.objects.filter(arxiv_id=q.strip()).values("pk"))
            )
        return rows.order_by(*READING_ORDERS.get(sort, READING_ORDERS["saved"]))


class SavedPaper(models.Model):
    """A paper a member saved: their reading list. The note and read state are private."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_papers"
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="saves")
    saved_at = models.DateTimeField(default=timezone.now)
    read = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=limits.SAVED_NOTE_CHARS)
    # The paper's arXiv date and title_key(title), kept here so the reading list sorts and
    # filters thousands of papers on its own index (written by services, refreshed by
    # receivers when the paper changes).
    published_at = models.DateTimeField(null=True)
    title_key = models.CharField(max_length=TITLE_KEY_CHARS, blank=True)

    objects = SavedPaperQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "paper"], name="saved_paper_once"),
        ]
        indexes = [
            # The reading list's default order (newest saved first), and its read/unread filter.
            models.Index(fields=["member", "-saved_at", "-id"], name="saved_by_date"),
            models.Index(fields=["member", "read", "-saved_at", "-id"], name="saved_by_read"),
            models.Index(fields=["member", "-published_at", "-id"], name="saved_by_arxiv_date"),
            models.Index(fields=["member", "title_key", "id"], name="saved_by_title"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} saved {self.paper_id}"


def new_hub_id() -> str:
    """24 hex digits, the shape of a Hugging Face collection's id."""
    return secrets.token_hex(12)


class CollectionQuerySet(models.QuerySet):
    def public(self) -> CollectionQuerySet:
        return self.filter(public=True)

    def owned_by_member(self, member) -> CollectionQuerySet:
        return self.filter(member=member)

    def owned_by_org(self, organization: Organization) -> CollectionQuerySet:
        return self.filter(organization=organization)

    def editable_by(self, user) -> CollectionQuerySet:
        """Collections ``user`` may edit: their own and their organizations'."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(member=user) | Q(organization__memberships__user=user)).distinct()

    def visible_to(self, user) -> CollectionQuerySet:
        """Public collections, and the private ones ``user`` may edit."""
        if not user.is_authenticated:
            return self.public()
        return self.filter(
            Q(public=True) | Q(member=user) | Q(organization__memberships__user=user)
        ).distinct()

    def with_item_count(self) -> CollectionQuerySet:
        return self.annotate(item_count=models.Count("items"))


class Collection(models.Model):
    """A named, ordered list of papers, private (its owner's eyes only) or public (a page at
    ``/u/<username>/collections/<slug>`` or ``/<org>/collections/<slug>``, RSS and Atom).

    Owned by exactly one of ``member`` or ``organization``; an organization's collections are
    edited by its members. ``slug`` is unique per owner and kept when the title changes (links
    stay good); ``hub_id`` gives the Hugging Face-style address ``<owner>/<slug>-<hub_id>``.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="collections",
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="collections",
    )
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=limits.COLLECTION_TITLE_CHARS)
    description = models.TextField(blank=True, max_length=limits.COLLECTION_DESCRIPTION_CHARS)
    public = models.BooleanField(default=False)
    hub_id = models.CharField(max_length=24, unique=True, default=new_hub_id, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CollectionQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(organization__isnull=True))
                | (Q(member__isnull=True) & Q(organization__isnull=False)),
                name="collection_one_owner",
            ),
            models.UniqueConstraint(
                fields=["member", "slug"],
                condition=Q(member__isnull=False),
                name="collection_slug_per_member",
            ),
            models.UniqueConstraint(
                fields=["organization", "slug"],
                condition=Q(organization__isnull=False),
                name="collection_slug_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner_name}/{self.slug}"

    def get_absolute_url(self) -> str:
        if self.organization_id:
            return reverse("library:org_collection", args=[self.organization.slug, self.slug])
        return reverse("library:collection", args=[self.member.get_username(), self.slug])

    @property
    def owner(self):
        """The member or the organization that owns it."""
        return self.organization if self.organization_id else self.member

    @property
    def owner_name(self) -> str:
        """The owner's username or organization slug."""
        return self.organization.slug if self.organization_id else self.member.get_username()

    @property
    def hub_slug(self) -> str:
        """The Hugging Face-style id: ``<owner>/<slug>-<hub_id>``."""
        return f"{self.owner_name}/{self.slug}-{self.hub_id}"


class CollectionItemQuerySet(models.QuerySet):
    def in_order(self) -> CollectionItemQuerySet:
        return self.order_by("position", "id")

    def for_cards(self) -> CollectionItemQuerySet:
        """What a collection page's row shows, in one query."""
        return self.select_related("paper", "paper__organization").defer(
            "paper__comment", "paper__updated_at"
        )


class CollectionItem(models.Model):
    """A paper in a collection, at ``position`` (ascending; gaps allowed), with a note that is
    as public as its collection."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="collection_items")
    position = models.IntegerField(default=0)
    note = models.TextField(blank=True, max_length=limits.ITEM_NOTE_CHARS)
    added_at = models.DateTimeField(default=timezone.now)

    objects = CollectionItemQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "paper"], name="collection_item_once"),
        ]
        indexes = [
            models.Index(fields=["collection", "position", "id"], name="collection_item_order"),
        ]

    def __str__(self) -> str:
        return f"{self.collection_id}#{self.position}: {self.paper_id}"
