"""The catalog: papers keyed by arXiv id, their ordered authors and categories, and the
organizations (labs, companies, communities) papers are tagged with, with the one rule for
an organization's slug."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from paperboy.lib.markdown import render as render_markdown
from paperboy.lib.weblinks import http_url_check, validate_link

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


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
        "authors",
        "following",
        "orgs",
        "invitations",
        "claims",
        "comments",
        "moderation",
        "library",
        "for-you",
        "collections",
    ]
)


def validate_org_slug(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(f"“{value}” is reserved; choose another slug.")


def organization_slug(name: str) -> str:
    """The slug of an organization named ``name`` by a source (any text: "Some Lab" or
    "some-lab"): kept when it already is a slug, made one otherwise, never empty, never a
    path of the site. Every writer of organizations goes through it."""
    name = (name or "").strip()
    slug = name if _SLUG.match(name) else slugify(name)
    slug = slug[:60] or "org"
    return f"{slug}-org" if slug.lower() in RESERVED_SLUGS else slug


class OrganizationQuerySet(models.QuerySet):
    def with_member_count(self) -> OrganizationQuerySet:
        return self.annotate(member_count=models.Count("memberships", distinct=True))

    def ensure(self, name: str, *, display_name: str = "", avatar_url: str = "") -> Organization:
        """The organization a source names (created when missing: the one door for imports).

        An existing organization keeps what an operator edited; only a blank avatar is filled.
        ``avatar_url`` must already be a clean link (``lib.weblinks``)."""
        slug = organization_slug(name)
        org, created = self.get_or_create(
            slug=slug,
            defaults={
                "name": (display_name or name).strip()[:200] or slug,
                "avatar_url": avatar_url,
            },
        )
        if not created and avatar_url and not org.avatar_url:
            org.avatar_url = avatar_url
            org.save(update_fields=["avatar_url"])
        return org


class Organization(models.Model):
    """A lab, company or community that papers are tagged with (``/<slug>/papers``)."""

    slug = models.SlugField(max_length=64, unique=True, validators=[validate_org_slug])
    name = models.CharField("display name", max_length=200)
    avatar_url = models.URLField(blank=True, max_length=500, validators=[validate_link])
    avatar = models.ImageField(upload_to="avatars/orgs/", blank=True)
    description = models.TextField(blank=True, max_length=4000, help_text="Markdown.")
    website = models.URLField(blank=True, max_length=300, validators=[validate_link])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        # Created by the accounts app; the catalog took it over without moving a row.
        db_table = "accounts_organization"
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=http_url_check("avatar_url"), name="organization_avatar_url_http"
            ),
            models.CheckConstraint(
                condition=http_url_check("website"), name="organization_website_http"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("feed:org", args=[self.slug])

    @property
    def avatar_src(self) -> str:
        """The uploaded avatar when there is one, else the imported avatar URL."""
        return self.avatar.url if self.avatar else self.avatar_url

    def description_html(self) -> str:
        return render_markdown(self.description).html

    # Memberships are the accounts app's rows (``accounts.Membership``, reverse relation
    # ``memberships``); these read them without importing it.
    def role_of(self, user) -> str:
        """The user's role here ("admin", "member") or "" for a stranger."""
        if not user.is_authenticated:
            return ""
        role = self.memberships.filter(user=user).values_list("role", flat=True).first()
        return role or ""

    def is_admin(self, user) -> bool:
        return self.role_of(user) == "admin"

    def is_member(self, user) -> bool:
        return bool(self.role_of(user))

    @property
    def initials(self) -> str:
        words = [w for w in self.name.split() if w[:1].isalnum()]
        return "".join(w[0] for w in words[:2]).upper() or self.slug[:2].upper()


class Category(models.Model):
    """An arXiv category such as ``cs.CL``."""

    code = models.CharField(max_length=32, primary_key=True)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Author(models.Model):
    """A person as named on arXiv. Claims by members come with the community issue."""

    name = models.CharField(max_length=300, unique=True)

    def __str__(self) -> str:
        return self.name


class PaperQuerySet(models.QuerySet):
    def visible(self) -> PaperQuerySet:
        return self.filter(hidden=False)

    def for_cards(self) -> PaperQuerySet:
        """What a paper card needs, in one query: the organization rides along."""
        return self.select_related("organization").defer("comment", "updated_at")


class Paper(models.Model):
    arxiv_id = models.CharField(max_length=64, unique=True, help_text="Without version suffix.")
    version = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=1000)
    abstract = models.TextField()
    comment = models.TextField(blank=True)
    authors = models.ManyToManyField(Author, through="PaperAuthor", related_name="papers")
    # Kept beside the through table so a card can say "N authors" without a query.
    num_authors = models.PositiveIntegerField(default=0)
    categories = models.ManyToManyField(Category, related_name="papers", blank=True)
    primary_category = models.CharField(max_length=32, blank=True, db_index=True)
    published_at = models.DateTimeField(db_index=True, help_text="arXiv date of the first version.")
    updated_at = models.DateTimeField(
        null=True, blank=True, help_text="arXiv date of this version."
    )
    project_page = models.URLField(blank=True, max_length=500, validators=[validate_link])
    github_repo = models.URLField(blank=True, max_length=500, validators=[validate_link])
    github_stars = models.PositiveIntegerField(null=True, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="papers"
    )
    # One-sentence summary and keywords: imported (Hugging Face) or generated (AI extras).
    ai_summary = models.TextField(blank=True)
    ai_keywords = models.JSONField(default=list, blank=True)
    # Who wrote ai_summary: a model@prompt version, "paperboy-local-N", or empty when a source
    # (Hugging Face) brought it (paperboy/summaries).
    ai_summary_model = models.CharField(max_length=200, blank=True, default="")
    # Counters maintained by feed.votes and comments; recomputed from their rows, never +1'd.
    upvotes_count = models.PositiveIntegerField(
        default=0, help_text="Local upvotes plus imported ones."
    )
    imported_upvotes = models.PositiveIntegerField(
        default=0, help_text="Upvotes counted elsewhere (Hugging Face import, demo corpus)."
    )
    comments_count = models.PositiveIntegerField(default=0)
    hidden = models.BooleanField(default=False, help_text="Hidden papers leave every list.")
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    objects = PaperQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]
        indexes = [
            # Lists exclude the few hidden papers through this small partial index.
            models.Index(fields=["id"], condition=models.Q(hidden=True), name="paper_hidden"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=http_url_check("project_page"), name="paper_project_page_http"
            ),
            models.CheckConstraint(
                condition=http_url_check("github_repo"), name="paper_github_repo_http"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.arxiv_id}: {self.title[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("papers:detail", args=[self.arxiv_id])

    @property
    def versioned_id(self) -> str:
        return f"{self.arxiv_id}v{self.version}"

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.versioned_id}"

    def author_names(self) -> list[str]:
        """Authors in order (uses ``prefetch_related("authorships__author")`` when present)."""
        return [a.author.name for a in self.authorships.all()]

    def category_codes(self) -> list[str]:
        return sorted(c.code for c in self.categories.all())

    @property
    def github_name(self) -> str:
        """``owner/repo`` for display."""
        return self.github_repo.removeprefix("https://github.com/").strip("/")


class PaperAuthor(models.Model):
    # No index of its own: the unique (paper, position) index serves lookups by paper, and an
    # import writes one index fewer per author of each paper.
    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, related_name="authorships", db_index=False
    )
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="authorships")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "position"], name="paperauthor_unique_pos")
        ]

    def __str__(self) -> str:
        return f"{self.paper_id}#{self.position} {self.author_id}"


STAR_WINDOW = timedelta(days=7)


class StarSnapshot(models.Model):
    """A paper's GitHub stars at a moment; written when the count changes (and the first time)
    by the GitHub and Hugging Face imports; trending's star velocity reads ``stars_gained``."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    stars = models.PositiveIntegerField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "ingest_starsnapshot"  # created by ingest; the catalog took it over in place
        indexes = [models.Index(fields=["paper", "recorded_at"], name="star_paper_time")]
        ordering = ["recorded_at"]

    def __str__(self) -> str:
        return f"{self.paper_id}: {self.stars} @ {self.recorded_at:%Y-%m-%d}"

    @classmethod
    def record(cls, paper_ids: Iterable[int], stars: int, *, at: datetime | None = None) -> int:
        """Add a snapshot for each paper whose last snapshot differs from ``stars``."""
        ids = list(paper_ids)
        if not ids:
            return 0
        last = dict(
            cls.objects.filter(paper_id__in=ids)
            .order_by("paper_id", "recorded_at", "pk")
            .values_list("paper_id", "stars")
        )  # later rows overwrite earlier ones: the latest per paper
        at = at or timezone.now()
        rows = [cls(paper_id=i, stars=stars, recorded_at=at) for i in ids if last.get(i) != stars]
        cls.objects.bulk_create(rows)
        return len(rows)


def stars_gained(paper_ids: Iterable[int], *, now: datetime | None = None) -> dict[int, int]:
    """GitHub stars each paper gained over the last 7 days, from its star history.

    The gain is the latest count minus the count 7 days ago (the last snapshot before the
    window) or, for a repository first seen inside the window, its first count then: stars a
    repository had before we watched it are not "gained this week". Papers without history
    are left out (read as 0).
    """
    ids = list(paper_ids)
    if not ids:
        return {}
    now = now or timezone.now()
    cutoff = now - STAR_WINDOW
    snapshots = StarSnapshot.objects.filter(paper_id=OuterRef("pk"))

    def stars(qs):
        return Subquery(qs.values("stars")[:1])

    rows = (
        Paper.objects.filter(pk__in=ids)
        .annotate(
            latest=stars(snapshots.filter(recorded_at__lte=now).order_by("-recorded_at", "-pk")),
            before=stars(snapshots.filter(recorded_at__lte=cutoff).order_by("-recorded_at", "-pk")),
            first_in=stars(
                snapshots.filter(recorded_at__gt=cutoff, recorded_at__lte=now).order_by(
                    "recorded_at", "pk"
                )
            ),
        )
        .values("pk", "latest", "before", "first_in")
    )
    gains = {}
    for row in rows:
        base = row["before"] if row["before"] is not None else row["first_in"]
        if base is None or row["latest"] is None:
            continue
        gains[row["pk"]] = max(0, row["latest"] - base)
    return gains
