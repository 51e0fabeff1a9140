"""Alerts: a member's saved searches (``SavedSearch``, with their filters) and the authors
and labs they follow (``accounts.Follow``), each delivered as a section of their digest and
as a private feed; and a digest subscriber's category and keyword alerts (kept on the
subscription by the digests app, matched by the same rule here).

``Alert`` is what one alert is, whatever stores it; ``matching(alert, since=…, until=…)`` is
the one rule for the papers it brings (its feed, the alerts page and the digest use it).

A saved search matches the new papers whose title or abstract contains every word of the
query, narrowed by its filters (category, organization, has code) as on the search page: a
predictable rule for "tell me when something new mentions X" (the search page's ranking by
meaning answers "what is closest to X", which always has an answer).

An alert's feed address is signed (``feed_token``): it names the member and the alert, so it
works as long as the alert exists and stops when the member deletes the alert or unfollows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet
from django.urls import reverse

from paperboy.accounts.models import Follow
from paperboy.foryou.models import SavedSearch
from paperboy.papers.models import Paper

SEARCH = "search"
AUTHOR = "author"
ORGANIZATION = "organization"
CATEGORY = "category"  # subscribers' alerts only
KINDS = (SEARCH, AUTHOR, ORGANIZATION)

MAX_SEARCHES = 50  # saved searches per member
MAX_WORDS = 8  # the words of a saved search that count
CATEGORY_CODE = re.compile(r"^[A-Za-z-]{1,20}(\.[A-Za-z-]{1,10})?$")
FEED_SALT = "foryou.alert-feed"

# A paper that entered the catalog in the window counts as new if arXiv published it at most
# this long before the window: an ingest that lags a day or two is caught, a backfill of old
# papers is not mailed as news.
BACKFILL_CUTOFF = timedelta(days=14)


@dataclass(frozen=True)
class Alert:
    """One alert. ``pk`` is its row's (a SavedSearch's or a Follow's) within ``kind``."""

    kind: str
    pk: int
    label: str
    query: str = ""
    filters: dict = field(default_factory=dict, hash=False, compare=False)
    target: int | None = None  # the followed author's or organization's id
    url: str = ""  # where its papers can be browsed on the site
    unfollow_url: str = ""  # a follow's: POST follow=0 there to stop it

    def feed_url(self, user, fmt: str = "rss") -> str:
        return settings.SITE_URL + reverse(f"feeds:alert-{fmt}", args=[feed_token(user, self)])


def filter_labels(filters: dict) -> list[str]:
    labels = []
    if filters.get("category"):
        labels.append(str(filters["category"]))
    if filters.get("org"):
        labels.append(str(filters["org"]))
    if filters.get("code"):
        labels.append("with code")
    return labels


def from_search(search: SavedSearch) -> Alert:
    filters = search.filters if isinstance(search.filters, dict) else {}
    narrowed = ", ".join(filter_labels(filters))
    params = {"q": search.query, **{k: v for k, v in filters.items() if v}}
    return Alert(
        kind=SEARCH,
        pk=search.pk,
        label=f"New on “{search.name or search.query}”" + (f" ({narrowed})" if narrowed else ""),
        query=search.query,
        filters=filters,
        url=reverse("search:search") + "?" + urlencode(params),
    )


def from_follow(follow: Follow) -> Alert:
    if follow.organization_id:
        org = follow.organization
        return Alert(
            kind=ORGANIZATION,
            pk=follow.pk,
            label=f"New from {org.name}",
            target=org.pk,
            url=org.get_absolute_url(),
            unfollow_url=reverse("accounts:follow_org", args=[org.slug]),
        )
    return Alert(
        kind=AUTHOR,
        pk=follow.pk,
        label=f"New from {follow.author.name}",
        target=follow.author_id,
        url=reverse("feed:author", args=[follow.author_id]),
        unfollow_url=reverse("accounts:follow_author", args=[follow.author_id]),
    )


def for_member(user) -> list[Alert]:
    """The member's alerts: saved searches first, then follows, oldest first."""
    return for_members([user.pk])[user.pk]


def for_members(user_ids: list[int]) -> dict[int, list[Alert]]:
    """Every listed member's alerts, in two queries."""
    found: dict[int, list[Alert]] = {pk: [] for pk in user_ids}
    for search in SavedSearch.objects.filter(member_id__in=user_ids).order_by("created_at", "pk"):
        found[search.member_id].append(from_search(search))
    follows = (
        Follow.objects.filter(user_id__in=user_ids)
        .select_related("organization", "author")
        .order_by("created_at", "pk")
    )
    for follow in follows:
        found[follow.user_id].append(from_follow(follow))
    return found


def words_q(text: str) -> Q:
    """Papers whose title or abstract holds every word of ``text`` (at most ``MAX_WORDS``)."""
    q = Q()
    for word in text.split()[:MAX_WORDS]:
        q &= Q(title__icontains=word) | Q(abstract__icontains=word)
    return q


def _in_category(code: str) -> Q:
    through = Paper.categories.through.objects.filter(category__code=code)
    return Q(pk__in=through.values("paper_id"))


def alert_q(alert: Alert) -> Q:
    """The papers an alert brings, whenever they appeared."""
    if alert.kind == AUTHOR:
        through = Paper.authors.through.objects.filter(author_id=alert.target)
        return Q(pk__in=through.values("paper_id"))
    if alert.kind == ORGANIZATION:
        return Q(organization_id=alert.target) | Q(daily__organization_id=alert.target)
    if alert.kind == CATEGORY:
        return _in_category(alert.query)
    q = words_q(alert.query)
    if alert.filters.get("category"):
        q &= _in_category(str(alert.filters["category"]))
    if alert.filters.get("org"):
        slug = str(alert.filters["org"])
        q &= Q(organization__slug=slug) | Q(daily__organization__slug=slug)
    if alert.filters.get("code"):
        q &= ~Q(github_repo="")
    return q


def appeared_between(since: datetime | None, until: datetime | None) -> Q:
    """Papers that entered the catalog in the window (and were not old when they did)."""
    q = Q()
    if since is not None:
        q &= Q(created_at__gte=since, published_at__gte=since - BACKFILL_CUTOFF)
    if until is not None:
        q &= Q(created_at__lt=until)
    return q


def matching(
    alert: Alert, *, since: datetime | None = None, until: datetime | None = None
) -> QuerySet[Paper]:
    """The visible papers ``alert`` brings that appeared in the window, newest first."""
    return (
        Paper.objects.visible()
        .filter(alert_q(alert), appeared_between(since, until))
        .order_by("-published_at", "-pk")
    )


def subscriber_alerts(*, categories: list[str], keywords: list[str]) -> list[Alert]:
    """A digest subscriber's category and keyword alerts, as alerts."""
    alerts = [Alert(kind=CATEGORY, pk=0, label=f"New in {c}", query=c) for c in categories]
    alerts += [Alert(kind=SEARCH, pk=0, label=f"New on “{k}”", query=k) for k in keywords]
    return alerts


# --- Private feeds ---------------------------------------------------------------------------


def feed_token(user, alert: Alert) -> str:
    return signing.dumps({"u": user.pk, "k": alert.kind, "p": alert.pk}, salt=FEED_SALT)


def read_feed_token(token: str) -> tuple[int, Alert] | None:
    """The member and the alert a feed address names, or None (tampered with, or the alert is
    gone)."""
    try:
        data = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in KINDS:
        return None
    user_id, pk = data.get("u"), data.get("p")
    if not isinstance(user_id, int) or not isinstance(pk, int):
        return None
    if data["k"] == SEARCH:
        search = SavedSearch.objects.filter(
            pk=pk, member_id=user_id, member__is_active=True
        ).first()
        return (user_id, from_search(search)) if search else None
    follow = (
        Follow.objects.select_related("organization", "author")
        .filter(pk=pk, user_id=user_id, user__is_active=True)
        .first()
    )
    if follow is None or from_follow(follow).kind != data["k"]:
        return None
    return user_id, from_follow(follow)
