"""Cold start: what a new member is offered before the model has anything to learn from.

The onboarding page lets a member pick arXiv categories (``CategoryInterest``), follow labs
and authors, claim their own papers, or import a library. Until one of those (or an upvote or
a save) gives the engine a signal, the For you page shows what the engine gives then: the
recent trending papers in the chosen categories (every category when none is chosen), and
says so.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from paperboy.accounts.models import Follow
from paperboy.foryou.models import CategoryInterest
from paperboy.papers.models import Organization

# The categories most researchers on a Daily Papers site pick from; any other code can be
# typed in.
COMMON_CATEGORIES = {
    "cs.AI": "Artificial Intelligence",
    "cs.CL": "Computation and Language",
    "cs.CV": "Computer Vision",
    "cs.LG": "Machine Learning",
    "cs.RO": "Robotics",
    "cs.IR": "Information Retrieval",
    "cs.CR": "Cryptography and Security",
    "cs.SE": "Software Engineering",
    "cs.HC": "Human-Computer Interaction",
    "cs.NE": "Neural and Evolutionary Computing",
    "cs.SD": "Sound",
    "eess.AS": "Audio and Speech Processing",
    "eess.IV": "Image and Video Processing",
    "stat.ML": "Machine Learning (Statistics)",
    "math.OC": "Optimization and Control",
    "q-bio.NC": "Neurons and Cognition",
    "physics.comp-ph": "Computational Physics",
    "quant-ph": "Quantum Physics",
}
SUGGESTED_ORGS = 12


def category_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} · {name}") for code, name in COMMON_CATEGORIES.items()]


def chosen_categories(user) -> list[str]:
    return list(
        CategoryInterest.objects.filter(member=user)
        .order_by("category")
        .values_list("category", flat=True)
    )


def set_categories(user, codes: list[str]) -> None:
    """The member's categories become exactly ``codes``."""
    with transaction.atomic():
        CategoryInterest.objects.filter(member=user).exclude(category__in=codes).delete()
        have = set(chosen_categories(user))
        CategoryInterest.objects.bulk_create(
            [CategoryInterest(member=user, category=c) for c in codes if c not in have],
            ignore_conflicts=True,
        )


def suggested_organizations(user) -> list[Organization]:
    """Labs with the most papers that the member does not follow yet."""
    followed = Follow.objects.filter(user=user, organization__isnull=False).values(
        "organization_id"
    )
    return list(
        Organization.objects.exclude(pk__in=followed)
        .annotate(n=Count("papers"))
        .filter(n__gt=0)
        .order_by("-n", "name")[:SUGGESTED_ORGS]
    )


def library_import_url() -> str:
    """The library's import page (BibTeX, RIS, Zotero)."""
    return reverse("library:import")
