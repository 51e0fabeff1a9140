"""What goes into one subscriber's digest: the trending section and the "for you" section.

Trending: the top N entries of the period by the stored trending score (the formula of
``feed/ranking.py``), narrowed by the subscriber's topics. For you: for members with enough
signal, the period's papers from the organizations and authors they follow, then the papers
nearest to what they upvoted (the search app's ``similar_papers``), never one already mailed to
them or already in this digest.

A ``Composer`` lives for one sending run and caches the trending section per topic set, so
10,000 subscribers without topics cost one trending query.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from paperboy.accounts.models import following_papers
from paperboy.digests.periods import DigestPeriod
from paperboy.feed.models import DailyEntry, Upvote
from paperboy.papers.models import Paper

log = logging.getLogger(__name__)

SUMMARY_CHARS = 220


@dataclass(frozen=True)
class Item:
    """One paper line in a digest, with absolute links."""

    paper_id: int
    title: str
    url: str
    pdf_url: str
    summary: str
    upvotes: int
    organization: str


@dataclass
class Digest:
    period: DigestPeriod
    trending: list[Item] = field(default_factory=list)
    for_you: list[Item] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.trending and not self.for_you

    @property
    def paper_ids(self) -> list[int]:
        return [i.paper_id for i in self.trending] + [i.paper_id for i in self.for_you]


def one_line(paper: Paper) -> str:
    """The AI summary when there is one, else the start of the abstract, cut at a word."""
    text = " ".join((paper.ai_summary or paper.abstract).split())
    if len(text) <= SUMMARY_CHARS:
        return text
    return text[:SUMMARY_CHARS].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def item(paper: Paper, organization=None) -> Item:
    org = organization or paper.organization
    return Item(
        paper_id=paper.pk,
        title=" ".join(paper.title.split()),
        url=settings.SITE_URL + paper.get_absolute_url(),
        pdf_url=paper.pdf_url,
        summary=one_line(paper),
        upvotes=paper.upvotes_count,
        organization=org.name if org else "",
    )


def topics_filter(subscription) -> Q | None:
    """Entries matching any of the subscription's topics, or None for "everything"."""
    q = Q()
    if subscription.categories:
        q |= Q(paper__categories__code__in=subscription.categories)
    if subscription.organizations:
        q |= Q(organization__slug__in=subscription.organizations)
        q |= Q(organization__isnull=True, paper__organization__slug__in=subscription.organizations)
    if subscription.search_query:
        words = Q()
        for word in subscription.search_query.split()[:8]:
            words &= Q(paper__title__icontains=word) | Q(paper__abstract__icontains=word)
        q |= words
    return q or None


class Composer:
    def __init__(self, period: DigestPeriod):
        self.period = period
        self.top_n = settings.PAPERBOY_DIGEST_TOP_N
        self.for_you_n = settings.PAPERBOY_DIGEST_FOR_YOU_N
        self.min_upvotes = settings.PAPERBOY_DIGEST_FOR_YOU_MIN_UPVOTES
        self._trending: dict[tuple, list[Item]] = {}

    def trending(self, subscription) -> list[Item]:
        key = (
            tuple(sorted(subscription.categories)),
            tuple(sorted(subscription.organizations)),
            subscription.search_query.strip().lower(),
        )
        if key not in self._trending:
            entries = DailyEntry.objects.between(self.period.start, self.period.end).trending()
            q = topics_filter(subscription)
            if q is not None:
                entries = entries.filter(pk__in=DailyEntry.objects.filter(q).values("pk"))
            self._trending[key] = [
                item(e.paper, e.shown_organization) for e in entries[: self.top_n]
            ]
        return self._trending[key]

    def for_you(self, subscription, *, exclude: set[int]) -> list[Item]:
        """Papers of the period from what the member follows, then papers nearest to what
        they upvoted (with enough upvotes); never one already mailed to them."""
        if not subscription.user_id or self.for_you_n <= 0:
            return []
        upvoted = list(
            Upvote.objects.filter(user_id=subscription.user_id)
            .order_by("-created_at")
            .values_list("paper_id", flat=True)[:200]
        )
        exclude = exclude | set(upvoted) | subscription.shown_paper_ids()
        ids = list(
            following_papers(subscription.user_id)
            .filter(daily__day__gte=self.period.start, daily__day__lte=self.period.end)
            .exclude(pk__in=exclude)
            .values_list("pk", flat=True)[: self.for_you_n]
        )
        if len(upvoted) >= self.min_upvotes and len(ids) < self.for_you_n:
            from paperboy.search.similar import similar_papers

            try:
                papers = similar_papers(
                    upvoted, k=self.for_you_n, exclude=frozenset(exclude | set(ids))
                )
            except Exception:  # the personal section is a bonus; never lose the digest over it
                log.exception("similar_papers failed for subscription %s", subscription.pk)
                papers = []
            ids += [p.pk for p in papers if p.pk not in exclude and p.pk not in ids]
        ids = ids[: self.for_you_n]
        # One query for the papers and their organizations, in the order chosen above.
        by_id = Paper.objects.for_cards().in_bulk(ids)
        return [item(by_id[pk]) for pk in ids if pk in by_id]

    def compose(self, subscription) -> Digest:
        trending = self.trending(subscription)
        digest = Digest(self.period, trending=trending)
        digest.for_you = self.for_you(subscription, exclude={i.paper_id for i in trending})
        return digest
