"""What goes into one subscriber's digest: the trending section, the "for you" section and
the alert sections.

Trending: the top N entries of the period by the stored trending score (the formula of
``feed/ranking.py``), narrowed by the subscriber's topics. For you (members): what the member's
For you page recommends (``foryou.engine.recommend_many``: their model, follows and
dismissals), minus the trending fallback of members without signals. Alerts: one section per
saved search and followed author or lab of a member (``foryou.alerts``), and per category or
keyword alert of a subscriber, with the papers that entered the catalog during the period.
Every paper appears once across all sections, never one the subscriber was mailed before
(earlier deliveries, and the For you ledger of papers mailed to the member), and the For you
papers go to that ledger once sent (``sending.py``).

A ``Composer`` lives for one sending run. It caches the trending section per topic set (10,000
subscribers without topics cost one trending query) and each alert's papers per rule, and
composes a whole batch of subscribers at a time (``compose_many``): a fixed number of queries
per batch for the history and the cards, plus the engine's work for each member.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from paperboy.digests.models import Delivery
from paperboy.digests.periods import DigestPeriod
from paperboy.feed.models import DailyEntry
from paperboy.foryou import alerts, engine
from paperboy.foryou.models import SeenPaper
from paperboy.papers.models import Paper

log = logging.getLogger(__name__)

SUMMARY_CHARS = 220
ALERT_ITEMS = 10  # papers in one alert section at most


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


@dataclass(frozen=True)
class Section:
    """An alert's part of a digest: its name, its papers and where to see more."""

    label: str
    url: str
    items: tuple[Item, ...]


@dataclass
class Digest:
    period: DigestPeriod
    trending: list[Item] = field(default_factory=list)
    for_you: list[Item] = field(default_factory=list)
    alerts: list[Section] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.trending and not self.for_you and not self.alerts

    @property
    def paper_ids(self) -> list[int]:
        ids = [i.paper_id for i in self.trending] + [i.paper_id for i in self.for_you]
        return ids + [i.paper_id for section in self.alerts for i in section.items]


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
        self._trending: dict[tuple, list[Item]] = {}
        self._alert_papers: dict[tuple, list[int]] = {}
        self._cards: dict[int, Item] = {}
        tz = timezone.get_current_timezone()
        # The period's papers for alerts: those that entered the catalog on its days.
        self.since = datetime.combine(period.start, time.min, tzinfo=tz)
        self.until = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=tz)
        # For you's window ends with the period (the same digest whenever it is composed).
        days = getattr(settings, "PAPERBOY_FOR_YOU_WINDOW_DAYS", 14)
        self.for_you_since = period.end - timedelta(days=days)

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
        shown = self._shown(subscriptions)
        members = [(s, d) for s, d in zip(subscriptions, digests, strict=True) if s.user_id]
        if members and self.for_you_n > 0:
            self._for_you(members, shown)
        self._alerts(list(zip(subscriptions, digests, strict=True)), shown)
        return digests

    def _shown(self, subscriptions: Sequence) -> dict[int, set[int]]:
        """Per subscription, the papers mailed to it before: its earlier deliveries, and for a
        member the For you papers mailed to them (two queries for the batch)."""
        shown: dict[int, set[int]] = defaultdict(set)
        sent = Delivery.objects.filter(
            subscription_id__in=[s.pk for s in subscriptions], status=Delivery.Status.SENT
        ).values_list("subscription_id", "paper_ids")
        for sub_id, ids in sent:
            shown[sub_id].update(ids or [])
        by_user = defaultdict(list)
        for s in subscriptions:
            if s.user_id:
                by_user[s.user_id].append(s.pk)
        if by_user:
            mailed = SeenPaper.objects.filter(
                member_id__in=list(by_user), via=SeenPaper.Via.DIGEST
            ).values_list("member_id", "paper_id")
            for member_id, paper_id in mailed:
                for sub_id in by_user[member_id]:
                    shown[sub_id].add(paper_id)
        return shown

    # --- For you ------------------------------------------------------------------------------

    def _for_you(self, members: list[tuple], shown: dict[int, set[int]]) -> None:
        exclude: dict[int, set[int]] = {}
        for sub, digest in members:
            skip = {i.paper_id for i in digest.trending} | shown[sub.pk]
            exclude[sub.user_id] = exclude.get(sub.user_id, set()) | skip
        try:
            recommended = engine.recommend_many(
                list(exclude), limit=self.for_you_n, since=self.for_you_since, exclude=exclude
            )
        except Exception:  # the personal section is a bonus; never lose the digests over it
            log.exception("digests: the For you papers of a batch could not be found")
            recommended = {}
        chosen = {
            user_id: [
                r.paper.pk
                for r in recs
                # Members without signals get the trending fallback: the trending section
                # already has it.
                if not any(reason.kind == "trending" for reason in r.reasons)
            ]
            for user_id, recs in recommended.items()
        }
        cards = self.cards([pk for ids in chosen.values() for pk in ids])
        for sub, digest in members:
            ids = [pk for pk in chosen.get(sub.user_id, []) if pk not in exclude[sub.user_id]]
            digest.for_you = [cards[pk] for pk in ids[: self.for_you_n] if pk in cards]

    # --- Alerts -------------------------------------------------------------------------------

    def _alerts(self, pairs: list[tuple], shown: dict[int, set[int]]) -> None:
        """Each alert's new papers as a section, each paper once per digest."""
        of_members = alerts.for_members(sorted({s.user_id for s, _ in pairs if s.user_id}))
        wanted: dict[int, list[alerts.Alert]] = {}
        for sub, _ in pairs:
            mine = list(of_members.get(sub.user_id, [])) if sub.user_id else []
            mine += alerts.subscriber_alerts(
                categories=list(sub.alert_categories or []),
                keywords=list(sub.alert_keywords or []),
            )
            wanted[sub.pk] = mine
        for alert in {a for mine in wanted.values() for a in mine}:
            self._papers_of(alert)
        cards = self.cards(
            [pk for mine in wanted.values() for a in mine for pk in self._papers_of(a)]
        )
        for sub, digest in pairs:
            used = set(digest.paper_ids) | shown[sub.pk]
            for alert in wanted[sub.pk]:
                ids = [pk for pk in self._papers_of(alert) if pk not in used and pk in cards]
                ids = ids[:ALERT_ITEMS]
                if ids:
                    used.update(ids)
                    url = settings.SITE_URL + alert.url if alert.url.startswith("/") else alert.url
                    digest.alerts.append(Section(alert.label, url, tuple(cards[pk] for pk in ids)))

    def _papers_of(self, alert: alerts.Alert) -> list[int]:
        """The alert's papers of the period, newest first; one query per rule and run."""
        key = (alert.kind, alert.query.lower(), tuple(sorted(alert.filters.items())), alert.target)
        if key not in self._alert_papers:
            # More than a section's worth: some may be in the digest already.
            found = alerts.matching(alert, since=self.since, until=self.until)
            self._alert_papers[key] = list(
                found.values_list("pk", flat=True)[: ALERT_ITEMS + self.top_n + self.for_you_n]
            )
        return self._alert_papers[key]

    def cards(self, paper_ids: list[int]) -> dict[int, Item]:
        """The digest lines of these papers: one query for those this run has not seen."""
        missing = {pk for pk in paper_ids if pk not in self._cards}
        if missing:
            for paper in Paper.objects.for_cards().filter(pk__in=missing):
                self._cards[paper.pk] = item(paper)
        return {pk: self._cards[pk] for pk in paper_ids if pk in self._cards}
