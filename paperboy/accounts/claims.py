"""Claiming authorship of a paper: submitting a claim, the auto-approval rules, decisions.

A signed-in user claims one of a paper's listed authors. The claim is approved at once when
a rule vouches for it, otherwise it waits for an admin (Django admin, "Author claims"):

1. **Domain rule** (``PAPERBOY_CLAIM_AUTO_DOMAINS``): the user has a *verified* email address on
   a listed domain (subdomains included). A rule ``domain:org-slug`` only vouches for papers
   tagged with that organization (on the paper or on its daily entry); a bare ``domain`` vouches
   for any paper.
2. **History rule**: the user already has an approved claim on the same author (same name) on
   another paper.

A rejected claim can be submitted again with a note; it goes back to "pending" (or is approved
when a rule now vouches for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from paperboy.accounts.models import AuthorClaim
from paperboy.papers.models import Author, Organization, Paper, PaperAuthor


class ClaimRefused(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class DomainRule:
    domain: str
    org_slug: str = ""

    def matches(self, domain: str, org_slugs: set[str]) -> bool:
        on_domain = domain == self.domain or domain.endswith("." + self.domain)
        return on_domain and (not self.org_slug or self.org_slug in org_slugs)

    def __str__(self) -> str:
        return f"{self.domain}:{self.org_slug}" if self.org_slug else self.domain


def parse_rules(text: str) -> list[DomainRule]:
    """``"tau.ac.il:tau, example.org"`` → rules. Pure; blank items are ignored."""
    rules = []
    for item in (text or "").split(","):
        domain, _, slug = item.strip().partition(":")
        domain = domain.strip().lower().lstrip("@")
        if domain:
            rules.append(DomainRule(domain=domain, org_slug=slug.strip()))
    return rules


def auto_rule(*, user, paper: Paper, author: Author) -> str:
    """The rule that approves this claim, described for the audit trail, or ""."""
    rules = parse_rules(settings.PAPERBOY_CLAIM_AUTO_DOMAINS)
    if rules:
        slugs = {o.slug for o in _paper_orgs(paper)}
        for domain in sorted(user.verified_domains()):
            for rule in rules:
                if rule.matches(domain, slugs):
                    return f"verified email domain ({rule})"
    earlier = AuthorClaim.objects.approved().filter(user=user, author=author)
    if earlier.exclude(paper=paper).exists():
        return "earlier approved claim on the same author"
    return ""


def _paper_orgs(paper: Paper) -> list:
    orgs = [paper.organization] if paper.organization_id else []
    entry_org = (
        Paper.objects.filter(pk=paper.pk)
        .exclude(daily__organization__isnull=True)
        .values_list("daily__organization__slug", flat=True)
        .first()
    )
    if entry_org:
        orgs.append(Organization(slug=entry_org))
    return orgs


def submit(*, user, paper: Paper, author_id, note: str = "") -> AuthorClaim:
    """Claim ``author_id`` on ``paper`` for ``user``; approved at once when a rule vouches."""
    if not user.is_authenticated:
        raise ClaimRefused("Sign in to claim authorship.", status=403)
    author = _listed_author(paper, author_id)
    note = (note or "").strip()
    if len(note) > 1000:
        raise ClaimRefused("The note can be at most 1,000 characters long.")
    taken = AuthorClaim.objects.approved().filter(paper=paper, author=author)
    if taken.exclude(user=user).exists():
        raise ClaimRefused(
            f"{author.name} on this paper has already been claimed by another member. "
            "If that is wrong, contact the site's admins.",
            status=409,
        )
    existing = AuthorClaim.objects.filter(user=user, paper=paper).first()
    if existing is not None and existing.status != AuthorClaim.Status.REJECTED:
        state = "approved" if existing.status == AuthorClaim.Status.APPROVED else "waiting"
        raise ClaimRefused(
            f"You have already claimed {existing.author.name} on this paper (claim {state}).",
            status=409,
        )
    if existing is not None and not note:
        raise ClaimRefused("Your earlier claim was rejected: add a note for the admins.")
    rule = auto_rule(user=user, paper=paper, author=author)
    claim = existing or AuthorClaim(user=user, paper=paper)
    claim.author = author
    claim.note = note
    claim.auto_rule = rule
    claim.status = AuthorClaim.Status.APPROVED if rule else AuthorClaim.Status.PENDING
    claim.decided_at = claim.decided_by = None
    if rule:
        from django.utils import timezone

        claim.decided_at = timezone.now()
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        raise ClaimRefused(
            f"{author.name} on this paper has just been claimed by another member.", status=409
        ) from None
    return claim


def _listed_author(paper: Paper, author_id) -> Author:
    try:
        author_id = int(author_id)
    except (TypeError, ValueError):
        raise ClaimRefused("Choose one of the paper's authors to claim.") from None
    row = (
        PaperAuthor.objects.filter(paper=paper, author_id=author_id)
        .select_related("author")
        .first()
    )
    if row is None:
        raise ClaimRefused("That person is not among this paper's authors.", status=404)
    return row.author


@dataclass(frozen=True)
class ClaimedAuthor:
    user_id: int
    username: str
    author_id: int
    author_name: str


def approved_on(paper: Paper) -> list[ClaimedAuthor]:
    """The paper's verified authors and their accounts, in one query, kept on the instance for
    the rest of the request (the paper page's author list and its discussion both ask)."""
    cached = paper.__dict__.get("_approved_claims")
    if cached is not None:
        return cached
    rows = (
        AuthorClaim.objects.approved()
        .filter(paper=paper, user__is_active=True)
        .values_list("user_id", "user__username", "author_id", "author__name")
        .order_by("author__name")
    )
    paper.__dict__["_approved_claims"] = found = [ClaimedAuthor(*row) for row in rows]
    return found


def claim_box_key(request, context: dict) -> tuple:
    """The paper page's claim box (``accounts/claim_box.html#box``) shows a member only their
    claim on the paper (one per member and paper): members with the same claim (none, or the
    same author, status and admin's note) see the same box (``lib.pagecache.share_part``).
    One plain query by arXiv id, so the paper itself is not read."""
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(), [request.user.pk, context["arxiv_id"]])
        row = cursor.fetchone()
    return ("none",) if row is None else ("claim", *row)


@cache
def _claim_sql() -> str:
    quote = connection.ops.quote_name
    claim, paper = AuthorClaim._meta, Paper._meta

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    return (
        f"SELECT c.{column(claim, 'status')}, c.{column(claim, 'author')}, "
        f"c.{column(claim, 'decision_note')} FROM {quote(claim.db_table)} c "
        f"JOIN {quote(paper.db_table)} p ON p.{column(paper, 'id')} = c.{column(claim, 'paper')} "
        f"WHERE c.{column(claim, 'user')} = %s AND p.{column(paper, 'arxiv_id')} = %s"
    )
