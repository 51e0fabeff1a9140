"""The catalog: papers keyed by arXiv id, their ordered authors and categories."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from paperboy.accounts.models import Organization
from paperboy.lib.weblinks import http_url_check, validate_link


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
