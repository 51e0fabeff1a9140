"""What goes into one subscriber's digest: the trending section and the "for you" section.

Trending: the top N entries of the period by the stored trending score (the formula of
``feed/ranking.py``), narrowed by the subscriber's topics. For you (members only): the
period's papers from the organizations and authors they follow, then, for members with enough
upvotes, the period's papers most like what they upvoted (``search.similar.similar_many``,
the rule of the paper page's "Similar papers", among the period's papers). Never a paper they
upvoted, one already mailed to them, or one already in this digest.

A ``Composer`` lives for one sending run. It caches the trending section per topic set (10,000
subscribers without topics cost one trending query), loads the period's papers, their
organizations, authors and vectors once, and composes a whole batch of subscribers at a time
(``compose_many``): a fixed number of queries per batch (upvotes, follows, earlier digests,
the cards of the chosen papers), and one matrix product for every member's similarity scores.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber

from paperboy.accounts.models import Follow
from paperboy.digests.models import Delivery
from paperboy.digests.periods import DigestPeriod
from paperboy.feed.models import DailyEntry, Upvote
from paperboy.papers.models import Paper, PaperAuthor
from paperboy.search.similar import Pool, similar_many

log = logging.getLogger(__name__)

SUMMARY_CHARS = 220
# A member's profile is built from their most recent upvotes, at most this many.
PROFILE_UPVOTES = 200


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


@dataclass
class Candidates:
    """The period's visible papers, in trending order, with what "for you" needs of them."""

    ids: list[int]
    organizations: dict[int, set[int]]  # paper id -> its organization and its entry's
    authors: dict[int, set[int]]
    categories: dict[int, str]  # paper id -> primary category
    newest_first: list[int]  # the order of "from what you follow"
    pool: Pool  # what "papers like the ones you upvoted" chooses from: these, with vectors


@dataclass
class Member:
    """One member's signal, read for a whole batch at once."""

    upvoted: list[int] = field(default_factory=list)  # most recent first
    organizations: set[int] = field(default_factory=set)
    authors: set[int] = field(default_factory=set)
    shown: set[int] = field(default_factory=set)  # papers mailed to them before


class Composer:
    def __init__(self, period: DigestPeriod):
        self.period = period
        self.top_n = settings.PAPERBOY_DIGEST_TOP_N
        self.for_you_n = settings.PAPERBOY_DIGEST_FOR_YOU_N
        self.min_upvotes = settings.PAPERBOY_DIGEST_FOR_YOU_MIN_UPVOTES
        self._trending: dict[tuple, list[Item]] = {}
        self._candidates: Candidates | None = None
        self._cards: dict[int, Item] = {}

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

    def compose(self, subscription) -> Digest:
        return self.compose_many([subscription])[0]

    def compose_many(self, subscriptions: Sequence) -> list[Digest]:
        """The digests of these subscriptions, in their order."""
        digests = [Digest(self.period, trending=self.trending(s)) for s in subscriptions]
        members = [(s, d) for s, d in zip(subscriptions, digests, strict=True) if s.user_id]
        if members and self.for_you_n > 0:
            self._for_you(members)
        return digests

    # --- For you ------------------------------------------------------------------------------

    def candidates(self) -> Candidates:
        if self._candidates is None:
            self._candidates = self._load_candidates()
        return self._candidates

    def _load_candidates(self) -> Candidates:
        entries = DailyEntry.objects.between(self.period.start, self.period.end).visible()
        rows = list(
            entries.order_by("-trending_score", "pk").values_list(
                "paper_id",
                "organization_id",
                "paper__organization_id",
                "paper__primary_category",
                "paper__published_at",
            )
        )
        ids = [r[0] for r in rows]
        organizations = {r[0]: {r[1], r[2]} - {None} for r in rows}
        categories = {r[0]: r[3] for r in rows}
        newest_first = [r[0] for r in sorted(rows, key=lambda r: (r[4], r[0]), reverse=True)]
        authors: dict[int, set[int]] = defaultdict(set)
        for paper_id, author_id in PaperAuthor.objects.filter(
            paper_id__in=entries.values("paper_id")
        ).values_list("paper_id", "author_id"):
            authors[paper_id].add(author_id)
        return Candidates(
            ids, organizations, dict(authors), categories, newest_first, Pool.load(ids, categories)
        )

    def _members(self, subscriptions: list) -> dict[int, Member]:
        """Every member's upvotes, follows and earlier digests: three queries for the batch."""
        by_user = {s.user_id: Member() for s in subscriptions}
        ranked = (
            Upvote.objects.filter(user_id__in=list(by_user))
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=F("user_id"),
                    order_by=[F("created_at").desc(), F("pk").desc()],
                )
            )
            .filter(rank__lte=PROFILE_UPVOTES)
            .order_by("user_id", "rank")
            .values_list("user_id", "paper_id")
        )
        for user_id, paper_id in ranked:
            by_user[user_id].upvoted.append(paper_id)
        follows = Follow.objects.filter(user_id__in=list(by_user)).values_list(
            "user_id", "organization_id", "author_id"
        )
        for user_id, org_id, author_id in follows:
            if org_id is not None:
                by_user[user_id].organizations.add(org_id)
            if author_id is not None:
                by_user[user_id].authors.add(author_id)
        user_of = {s.pk: s.user_id for s in subscriptions}
        sent = Delivery.objects.filter(
            subscription_id__in=list(user_of), status=Delivery.Status.SENT
        ).values_list("subscription_id", "paper_ids")
        shown: dict[int, set[int]] = defaultdict(set)
        for sub_id, ids in sent:
            shown[sub_id].update(ids or [])
        # Keyed by subscription: two subscriptions of one member keep their own history.
        return {
            s.pk: Member(
                by_user[s.user_id].upvoted,
                by_user[s.user_id].organizations,
                by_user[s.user_id].authors,
                shown[s.pk],
            )
            for s in subscriptions
        }

    def _for_you(self, members: list[tuple]) -> None:
        n = self.for_you_n
        signal = self._members([s for s, _ in members])
        candidates = self.candidates()
        chosen: dict[int, list[int]] = {}
        excluded: dict[int, set[int]] = {}
        wanting: list[int] = []  # subscriptions that get the similarity part
        for sub, digest in members:
            member = signal[sub.pk]
            exclude = {i.paper_id for i in digest.trending} | set(member.upvoted) | member.shown
            followed = []
            if member.organizations or member.authors:
                for pk in candidates.newest_first:
                    if pk not in exclude and (
                        candidates.organizations.get(pk, set()) & member.organizations
                        or candidates.authors.get(pk, set()) & member.authors
                    ):
                        followed.append(pk)
                        if len(followed) == n:
                            break
            chosen[sub.pk] = followed
            excluded[sub.pk] = exclude | set(followed)
            if len(member.upvoted) >= self.min_upvotes and len(followed) < n:
                wanting.append(sub.pk)
        if wanting:
            try:
                similar = self._similar({pk: signal[pk].upvoted for pk in wanting}, excluded)
            except Exception:  # the personal section is a bonus; never lose the digests over it
                log.exception("digests: the similar papers of a batch could not be found")
                similar = {}
            for pk, ids in similar.items():
                chosen[pk] += ids[: n - len(chosen[pk])]
        cards = self.cards([pk for ids in chosen.values() for pk in ids])
        for sub, digest in members:
            digest.for_you = [cards[pk] for pk in chosen[sub.pk] if pk in cards]

    def _similar(
        self, upvoted: dict[int, list[int]], excluded: dict[int, set[int]]
    ) -> dict[int, list[int]]:
        """Per subscription, up to ``for_you_n`` of the period's papers most like what they
        upvoted, best first, none of ``excluded``: ``search.similar`` for the whole batch."""
        return similar_many(
            upvoted, k=self.for_you_n, exclude=excluded, pool=self.candidates().pool
        )

    def cards(self, paper_ids: list[int]) -> dict[int, Item]:
        """The digest lines of these papers: one query for those this run has not seen."""
        missing = {pk for pk in paper_ids if pk not in self._cards}
        if missing:
            for paper in Paper.objects.for_cards().filter(pk__in=missing):
                self._cards[paper.pk] = item(paper)
        return {pk: self._cards[pk] for pk in paper_ids if pk in self._cards}
